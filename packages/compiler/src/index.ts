export * from './actions'
export * from './machine'
export * from './compile'
export { canonicalJson, sha256 } from './hash'
