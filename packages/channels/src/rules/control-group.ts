// The engine decides control membership when a run starts; the bucketing lives in the schema
// package so both sides compute the same answer.
export { stableBucket, inControlGroup } from '@switchyard/schema'
