#!/usr/bin/env python3
"""Interop witness for frame/'s framing code, run by hand (not by go test).

It re-implements, independently of the Go code, the pieces whose bytes the
Go golden tests pin, and checks Go output against the Python libraries the
Python driver uses:

  python3 frame/testdata/interop/witness.py segments
      prints v5 segments (CRC24 from the spec's parameters, CRC32 seeded with
      FA 2D 55 CA via zlib) for the golden payloads in segment_test.go.
  python3 frame/testdata/interop/witness.py compressed-segment BLOCKHEX N
      checks that python lz4 decompresses the block (made by Go) to N bytes
      and prints the self-contained compressed segment holding it.
  python3 frame/testdata/interop/witness.py lz4 < go_body.bin
      decompresses a v3/v4 LZ4 body the way the Python driver does (4-byte
      big-endian length, then the block) and prints it as hex.
  python3 frame/testdata/interop/witness.py lz4-compress HEX
      compresses like the Python driver and prints the body as hex.

Needs `pip install lz4`.
"""
import sys, zlib

def crc24(value, n):
    crc = 0x875060
    for _ in range(n):
        crc ^= (value & 0xff) << 16
        value >>= 8
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1974F0B
    return crc

def crc32(payload):
    return zlib.crc32(bytes([0xFA, 0x2D, 0x55, 0xCA]) + payload) & 0xffffffff

def segment(payload, self_contained):
    h = len(payload) | ((1 << 17) if self_contained else 0)
    h |= crc24(h, 3) << 24
    return h.to_bytes(6, 'little') + payload + crc32(payload).to_bytes(4, 'little')

def compressed_segment(wire_payload, uncompressed_len, self_contained):
    h = len(wire_payload) | (uncompressed_len << 17) | ((1 << 34) if self_contained else 0)
    h |= crc24(h, 5) << 40
    return h.to_bytes(8, 'little') + wire_payload + crc32(wire_payload).to_bytes(4, 'little')

def main():
    cmd = sys.argv[1]
    if cmd == 'segments':
        options = bytes.fromhex('050000010500000000')  # v5 OPTIONS request, stream 1
        print('uncompressed self-contained OPTIONS:', segment(options, True).hex())
        print('uncompressed empty not-self-contained:', segment(b'', False).hex())
        print('compressed-format, stored as is:', compressed_segment(options, 0, True).hex())
        import lz4.block
        data = b'a' * 100
        block = lz4.block.compress(data, store_size=False)
        print('lz4 block of 100 x "a":', block.hex())
        print('compressed segment of it:', compressed_segment(block, len(data), True).hex())
    elif cmd == 'compressed-segment':
        import lz4.block
        block, n = bytes.fromhex(sys.argv[2]), int(sys.argv[3])
        assert len(lz4.block.decompress(block, uncompressed_size=n)) == n
        print(compressed_segment(block, n, True).hex())
    elif cmd == 'lz4':
        import lz4.block
        byts = sys.stdin.buffer.read()
        print(lz4.block.decompress(byts[3::-1] + byts[4:]).hex())
    elif cmd == 'lz4-compress':
        import lz4.block
        data = bytes.fromhex(sys.argv[2])
        print((len(data).to_bytes(4, 'big') + lz4.block.compress(data)[4:]).hex())

main()
