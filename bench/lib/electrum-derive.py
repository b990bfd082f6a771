#!/usr/bin/python3
"""The reference for bench/addresses-api.ts: Debian's python3-electrum deriving the receive
addresses of a k-of-n p2wsh sortedmulti wallet from its account xpubs, with Electrum's own code
(BIP32Node, transaction.multisig_script, bitcoin.redeem_script_to_address).

Each xpub's receive branch node (/0) is derived once and every address derives one child of it,
as Electrum's wallets do (keystore.Xpub caches the branch node), so Electrum is not slowed down by
deriving the branch again per address. Only the derivation loop is timed (not the interpreter
start or the imports).

  /usr/bin/python3 bench/lib/electrum-derive.py COUNT THRESHOLD XPUB... > {"seconds": s, "addresses": [...]}
"""
import json
import sys
import time

from electrum import bitcoin, constants, transaction
from electrum.bip32 import BIP32Node

constants.set_mainnet()


def main():
    count = int(sys.argv[1])
    threshold = int(sys.argv[2])
    xpubs = sys.argv[3:]
    start = time.perf_counter()
    branches = [BIP32Node.from_xkey(x).subkey_at_public_derivation([0]) for x in xpubs]
    out = []
    for i in range(count):
        keys = sorted(b.subkey_at_public_derivation([i]).eckey.get_public_key_hex(compressed=True) for b in branches)
        out.append(bitcoin.redeem_script_to_address('p2wsh', transaction.multisig_script(keys, threshold)))
    seconds = time.perf_counter() - start
    print(json.dumps({'seconds': seconds, 'addresses': out}))


if __name__ == '__main__':
    main()
