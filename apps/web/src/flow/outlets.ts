import { isNodeType, outletsOf, requiredOutletsOf } from '@switchyard/schema'
import type { NodeData } from './types'

/** A node as the canvas holds it: the type React Flow carries and the draft data. */
export interface KindedNode {
  type?: string | undefined
  data?: NodeData | undefined
}

/** A node's outlets, read from its draft data (a split's branches). */
export function outletsOfNode(node: KindedNode | undefined): readonly string[] {
  return node && isNodeType(node.type) ? outletsOf(node.type, node.data) : []
}

export function requiredOutletsOfNode(node: KindedNode): readonly string[] {
  return isNodeType(node.type) ? requiredOutletsOf(node.type, node.data) : []
}

/** The outlet a node's edge leaves by: its handle, or the node's only outlet. */
export function outletOfEdge(node: KindedNode | undefined, sourceHandle: string | null | undefined): string | undefined {
  const outlets = outletsOfNode(node)
  return sourceHandle ?? (outlets.length === 1 ? outlets[0] : undefined)
}
