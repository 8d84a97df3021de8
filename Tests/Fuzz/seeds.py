#!/usr/bin/env python3
"""Writes the fuzz corpus's hand-made seeds into Tests/Fuzz/corpus/<entry point>/ (run once; the
fuzzer's finds are merged in with `make fuzz-merge`). Every file starts with the selector byte of
its entry point (0 Ogg Opus, 1 WAV, 2 multipart: Sources/FleetFuzzing/FuzzEntryPoint.swift)."""
import math, pathlib, struct

ROOT = pathlib.Path(__file__).resolve().parent
EXAMPLES = ROOT.parent.parent / "docs" / "examples"

def crc(data):
    value = 0
    for byte in data:
        value ^= byte << 24
        for _ in range(8):
            value = ((value << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if value & 0x80000000 else (value << 1) & 0xFFFFFFFF
    return value

def page(packets, granule, sequence, flags):
    lacing = []
    for packet in packets:
        lacing += [255] * (len(packet) // 255) + [len(packet) % 255]
    header = b"OggS" + bytes([0, flags]) + struct.pack("<qII", granule, 0x4F4B, sequence) + b"\0\0\0\0"
    header += bytes([len(lacing)]) + bytes(lacing)
    body = b"".join(packets)
    return header[:22] + struct.pack("<I", crc(header + body)) + header[26:] + body

def ogg(packets, granule, pre_skip=312):
    head = b"OpusHead" + bytes([1, 1]) + struct.pack("<HIhB", pre_skip, 48000, 0, 0)
    tags = b"OpusTags" + struct.pack("<I", 4) + b"seed" + struct.pack("<I", 1) + struct.pack("<I", 7) + b"TITLE=x"
    out = page([head], 0, 0, 2) + page([tags], 0, 1, 0)
    for index in range(0, len(packets), 255):
        chunk = packets[index:index + 255]
        out += page(chunk, granule, 2 + index // 255, 4 if index + 255 >= len(packets) else 0)
    return out

def wav(data, rate=8000, channels=1, bits=16, tag=1, declared=None, extra=b""):
    align = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * align, align, bits)
    if tag == 0xFFFE:
        fmt += struct.pack("<HHI", 22, bits, 0) + struct.pack("<H", 3 if bits in (32, 64) and extra == b"float" else 1) + bytes(14)
        extra = b""
    body = b"WAVEfmt " + struct.pack("<I", len(fmt)) + fmt + extra
    body += b"data" + struct.pack("<I", len(data) if declared is None else declared) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body

def tone(count, bits=16):
    values = [math.sin(2 * math.pi * 440 * n / 8000) * 0.5 for n in range(count)]
    if bits == 8:
        return bytes(int(128 + 127 * v) for v in values)
    if bits == 24:
        return b"".join(struct.pack("<i", int(v * 8388607))[:3] for v in values)
    return b"".join(struct.pack("<h", int(v * 32767)) for v in values)

def form(boundary, parts, content_type=None):
    body = b"preamble\r\n"
    for headers, content in parts:
        body += b"--" + boundary + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + content + b"\r\n"
    body += b"--" + boundary + b"--\r\n"
    return (content_type or b"multipart/form-data; boundary=" + boundary) + b"\n" + body

def write(entry, selector, name, payload):
    folder = ROOT / "corpus" / entry
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"seed-{name}").write_bytes(bytes([selector]) + payload)

small_ogg = (EXAMPLES / "turn-speaker.ogg").read_bytes()
write("ogg-opus", 0, "turn-speaker", small_ogg)
write("ogg-opus", 0, "turn-atlas", (EXAMPLES / "turn-atlas.ogg").read_bytes())
write("ogg-opus", 0, "bomb-300-empty", ogg([b"\xfb\x06"] + [b""] * 300, 48312))
write("ogg-opus", 0, "silk-and-gap", ogg([b"\x08\x00", b"", b"\x08\x00", b"\x78\x00\x00"], 312 + 3 * 960))
write("ogg-opus", 0, "headers-only", ogg([], 0))

write("wav", 1, "pcm16-mono", wav(tone(400)))
write("wav", 1, "pcm8-stereo", wav(tone(400, 8), channels=2, bits=8))
write("wav", 1, "pcm24-list", wav(tone(200, 24), bits=24, extra=b"LIST\x03\x00\x00\x00abc\x00"))
write("wav", 1, "float32-extensible", wav(struct.pack("<" + "f" * 64, *[0.25] * 64), bits=32, tag=0xFFFE, extra=b"float"))
write("wav", 1, "streamed", wav(tone(300), declared=0xFFFFFFFF))

write("multipart", 2, "wav-file", form(b"xYz-42", [
    ([b'Content-Disposition: form-data; name="note"'], b"hello"),
    ([b'Content-Disposition: form-data; name="file"; filename="a.wav"', b"Content-Type: audio/wav"], wav(tone(200))),
]))
write("multipart", 2, "ogg-file-quoted", form(b"b", [
    ([b'content-disposition: form-data; name=file', b"content-type: audio/ogg"], ogg([b"\xfb\x06"] + [b""] * 20, 10_000)),
], content_type=b'multipart/form-data; boundary="b"'))
write("multipart", 2, "no-file-field", form(b"----x", [([b'Content-Disposition: form-data; name="other"'], b"1")]))
