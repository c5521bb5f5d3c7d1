export * from './clock'
export * from './graph'
export * from './examples'
export * from './sink'
