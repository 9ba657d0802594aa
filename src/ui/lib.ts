/**
 * What the browser shares with the server, served as one ES module at /ui/lib.js (bundled by esbuild
 * on first request): the same amount formatting and the same picture rules as the HTML report.
 */
export { formatAmount, parseAmount } from "../core/amount.ts";
export {
  amountText,
  assetInfo,
  categoryGroup,
  edgeWidth,
  GROUPS,
  groupColour,
  largestByAsset,
  layerLayout,
  nodeKey,
  shortAddress,
} from "../services/report/flow.ts";
