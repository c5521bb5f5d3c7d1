import type { Edge, Node } from '@xyflow/react'

/** The data of a node as the draft holds it: whatever the marketer has filled in so far. */
export type NodeData = Record<string, unknown>
export type FlowNode = Node<NodeData>
export type FlowEdge = Edge
