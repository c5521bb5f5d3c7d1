/** A card's width, as `.jnode` in styles.css draws it, unless its kind asks for more. */
export const NODE_WIDTH = 248
