export {
  checkFeeRate,
  dustLimit,
  fundPsbt,
  HIGH_FEE_RATE,
  MAX_RECIPIENTS,
  type CreatePsbtRequest,
  type PsbtContext,
  type Recipient,
} from './create.js';
export { broadcast, rejectReasonInWords } from './broadcast.js';
export { checkPendingAfterSync, dropSpent, lockInputs, relockPending, unlockInputs } from './locks.js';
export { PSBT_FOLDER, PendingPsbtStore, pendingPsbtSchema, pendingStore, type PendingPsbt } from './pending-store.js';
export { PsbtService, type PendingPsbtView, type PsbtServiceOptions } from './psbt-service.js';
export { reviewPsbt, signedFingerprints, type PsbtInputView, type PsbtOutputView, type PsbtReview, type PsbtSigner } from './review.js';
export { addSignatures, type SignaturesResult } from './signatures.js';
export { replacePsbt, type Replacement, type ReplaceRequest } from './rbf.js';
export {
  FeeSource,
  FEE_ESTIMATORS,
  MEMPOOL_CLEARNET,
  MEMPOOL_ONION,
  RECOMMENDED_PATH,
  feeUrls,
  type FeeEstimator,
  type FeeSourceOptions,
  type FeeSourceSettings,
} from './fee-source.js';
export { estimateFees, FEE_TARGETS, feesFromCore, type FeeEstimates, type FeeSpeed, type SmartFee } from './fees.js';
export { psbtCreatedEvent, type PsbtCreatedEvent, type SendListeners, type TransactionBroadcastEvent } from './send-events.js';
