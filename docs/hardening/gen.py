import gzip, struct, zlib, os, shutil
# (2) IDX whose honest header declares 100,000 28x28 images (all zero), gzipped
os.makedirs('idxbomb', exist_ok=True)
def idx(path, dims, payload_iter):
    with gzip.open(path, 'wb', compresslevel=9) as f:
        f.write(bytes([0, 0, 8, len(dims)]))
        for d in dims: f.write(struct.pack('>I', d))
        for chunk in payload_iter: f.write(chunk)
n = 100000
idx('idxbomb/train-images-idx3-ubyte.gz', [n, 28, 28], (bytes(784 * 1000) for _ in range(n // 1000)))
idx('idxbomb/train-labels-idx1-ubyte.gz', [n], [bytes(i % 10 for i in range(n))])
idx('idxbomb/t10k-images-idx3-ubyte.gz', [100, 28, 28], [bytes(784 * 100)])
idx('idxbomb/t10k-labels-idx1-ubyte.gz', [100], [bytes(i % 10 for i in range(100))])
# (3) 16-bit RGBA 7000x7000 PNG bombs
def png_bomb(path, w, h):
    def chunk(t, d):
        return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    co = zlib.compressobj(9)
    row = bytes(1 + w * 8)
    parts = []
    for _ in range(h):
        parts.append(co.compress(row))
    parts.append(co.flush())
    data = b''.join(parts)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n')
        f.write(chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 16, 6, 0, 0, 0)))
        f.write(chunk(b'IDAT', data))
        f.write(chunk(b'IEND', b''))
for c in ('a', 'b'):
    os.makedirs('bombs/' + c, exist_ok=True)
png_bomb('bombs/a/0.png', 7000, 7000)
for i in range(8):
    dst = 'bombs/%s/%d.png' % ('ab'[i % 2], i)
    if dst != 'bombs/a/0.png':
        shutil.copy('bombs/a/0.png', dst)
