/**
 * The one BIP32 factory of the app, wired to the fastest secp256k1 backend that loaded.
 * BIP32Factory runs bip32's own self-test of the adapter at load, so a broken mapping of the
 * native API fails loudly here instead of deriving wrong keys.
 */
import { BIP32Factory, type BIP32API, type BIP32Interface } from 'bip32';
import { secpBackend } from './secp.js';

export type { BIP32Interface };

export const bip32: BIP32API = BIP32Factory(secpBackend.ecc);
