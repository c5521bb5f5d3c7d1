/**
 * Bumped whenever the compiler's output for the same graph changes. A published version stores
 * the compiler version that made its machine; the engine recompiles versions made by another
 * one, and for the same one checks that recompiling gives the stored hash.
 */
export const COMPILER_VERSION = 1
