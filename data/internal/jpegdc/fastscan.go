package jpegdc

// lsconf fork: this file is not in image/jpeg. It decodes a sequential
// (baseline or extended, not progressive) scan straight from the file's
// bytes in memory (DecodeBytes), with a 64-bit bit buffer and look-up
// tables that take a whole AC coefficient (its Huffman code and its value
// bits) in one step. Only the DC coefficients are kept, so the value of an
// AC coefficient is never formed: its bits are skipped. The result, and
// what is refused, is that of processSOS's loop (the reader path, which
// TestFastScanMatchesReader compares it with).

import (
	"bytes"
	"encoding/binary"
	"image"
	"io"
)

// fastBits is the number of look-ahead bits of the fast tables: codes of
// at most fastBits bits (almost all in practice) are decoded with one
// look-up; longer ones with a search over the code lengths.
const fastBits = 10

// Entries of an AC fast table: the bits consumed (code and value bits) in
// bits 0-5, the code length in bits 8-12, the zig-zag advance (run + 1) in
// bits 16-20, the kind in bits 24-25. 0 means "code longer than fastBits".
const (
	acCoef = 0 // a non-zero coefficient after a run of zeros
	acZRL  = 1 // sixteen zeros
	acEOB  = 2 // end of block, or an end-of-band run (R in 1..14)
)

// fastTables are the look-up tables of one scan's Huffman tables.
type fastTables struct {
	// dc[t][i]: the code length in bits 0-7 and the value (the size of the
	// DC difference) in bits 8-15 of the code starting the 10 bits i.
	dc [maxTh + 1][1 << fastBits]uint16
	ac [maxTh + 1][1 << fastBits]uint32
}

// acEntry is the fast-table entry of AC symbol rs with a code of l bits.
func acEntry(l uint32, rs uint8) uint32 {
	r, s := uint32(rs>>4), uint32(rs&0x0f)
	switch {
	case s != 0:
		return (l + s) | l<<8 | (r+1)<<16 | acCoef<<24
	case r == 0x0f:
		return l | l<<8 | 16<<16 | acZRL<<24
	default:
		return l | l<<8 | r<<16 | acEOB<<24
	}
}

// buildDC and buildAC fill the fast table of h: every fastBits-bit prefix
// that starts with a code of at most fastBits bits maps to that code.
func buildDC(h *huffman, t *[1 << fastBits]uint16) {
	fillFast(h, func(i, l uint32, v uint8) { t[i] = uint16(l) | uint16(v)<<8 })
}

func buildAC(h *huffman, t *[1 << fastBits]uint32) {
	fillFast(h, func(i, l uint32, v uint8) { t[i] = acEntry(l, v) })
}

// fillFast calls set for every table index whose prefix is a code of
// length l <= fastBits with value v.
func fillFast(h *huffman, set func(i, l uint32, v uint8)) {
	for l := 1; l <= fastBits; l++ {
		if h.maxCodes[l-1] < 0 {
			continue
		}
		for code := h.minCodes[l-1]; code <= h.maxCodes[l-1]; code++ {
			v := h.vals[h.valsIndices[l-1]+code-h.minCodes[l-1]]
			if code >= 1<<l {
				return // an over-subscribed table: no more codes of this length
			}
			lo := uint32(code) << (fastBits - l)
			for k := uint32(0); k < 1<<(fastBits-l); k++ {
				set(lo|k, uint32(l), v)
			}
		}
	}
}

// slowCode decodes a code longer than fastBits from the top 16 bits of
// the buffer: its length and value (ok false: no such code).
func slowCode(h *huffman, top16 uint32) (l uint32, v uint8, ok bool) {
	for i := fastBits; i < maxCodeLength; i++ {
		code := int32(top16 >> (15 - i))
		if code <= h.maxCodes[i] && h.maxCodes[i] >= 0 {
			if code < h.minCodes[i] {
				return 0, 0, false
			}
			return uint32(i + 1), h.vals[h.valsIndices[i]+code-h.minCodes[i]], true
		}
	}
	return 0, 0, false
}

// bitReader reads the entropy-coded bytes of a scan: acc holds n bits,
// most significant first; after the scan's data ends (at a marker or at
// the end of the file) it is filled with zero bits, counted in pad, so
// that using them is detected (n < pad) instead of read past.
type bitReader struct {
	src []byte
	pos int // the next byte of src to take
	acc uint64
	n   uint
	pad uint
}

// refill tops acc up to at least 57 bits. Eight bytes without 0xff are
// taken at once; a 0xff 0x00 pair is one 0xff byte; any other 0xff (a
// marker) or the end of the bytes ends the data.
func (br *bitReader) refill() {
	if br.refill8() {
		return
	}
	for br.n <= 56 {
		if br.pad == 0 && br.pos < len(br.src) {
			c := br.src[br.pos]
			if c != 0xff {
				br.pos++
				br.acc |= uint64(c) << (56 - br.n)
				br.n += 8
				continue
			}
			if br.pos+1 < len(br.src) && br.src[br.pos+1] == 0x00 {
				br.pos += 2
				br.acc |= 0xff << (56 - br.n)
				br.n += 8
				continue
			}
		}
		// A marker (br.pos stays on its 0xff) or the end of the bytes.
		br.pad += 8
		br.n += 8
	}
}

// refill8 is refill's fast case, small enough to inline: when the next
// eight bytes hold no 0xff, as many of them as fit are taken at once.
func (br *bitReader) refill8() bool {
	if br.pad != 0 || br.pos+8 > len(br.src) {
		return false
	}
	w := binary.BigEndian.Uint64(br.src[br.pos:])
	// A 0xff byte of w is a zero byte of ^w.
	if (^w-0x0101010101010101)&w&0x8080808080808080 != 0 {
		return false
	}
	// The bits below the whole bytes taken come from the next byte, which
	// the next refill ORs in again: the same bits.
	br.acc |= w >> (br.n & 63)
	nb := (64 - br.n) >> 3
	br.n += nb << 3
	br.pos += int(nb)
	return true
}

// take drops k bits.
func (br *bitReader) take(k uint) {
	br.acc <<= k
	br.n -= k
}

// short reports whether bits past the scan's data were used.
func (br *bitReader) short() bool { return br.n < br.pad }

// extend is EXTEND of section F.2.2.1: the value of the s bits v.
func extend(v uint32, s uint32) int32 {
	if s == 0 {
		return 0
	}
	if v < 1<<(s-1) {
		return int32(v) - int32(1)<<s + 1
	}
	return int32(v)
}

// skipAC reads past the AC coefficients of one block (Huffman table h,
// its fast table t): processSOS's AC loop without the values. An
// end-of-band run (not valid in a sequential scan, taken as processSOS
// does) is stored in eobRun.
func (br *bitReader) skipAC(t *[1 << fastBits]uint32, h *huffman, eobRun *uint16) error {
	acc, n := br.acc, br.n // in registers for the loop
	for k := uint32(1); k < blockSize; {
		if n < 32 {
			br.acc, br.n = acc, n
			if !br.refill8() {
				br.refill()
			}
			acc, n = br.acc, br.n
		}
		e := t[acc>>(64-fastBits)]
		if e == 0 {
			l, v, ok := slowCode(h, uint32(acc>>48))
			if !ok {
				return FormatError("bad Huffman code")
			}
			e = acEntry(l, v)
		}
		if e < 1<<24 { // acCoef, the common case
			if k+e>>16 > blockSize {
				// Past the block: the value bits stay unread.
				c := e >> 8 & 0x1f
				acc <<= c
				n -= uint(c)
				break
			}
			c := e & 0x3f
			acc <<= c
			n -= uint(c)
			k += e >> 16
			continue
		}
		c := e & 0x3f
		acc <<= c
		n -= uint(c)
		if e>>24 == acZRL {
			k += 16
			continue
		}
		// acEOB
		if r := e >> 16 & 0xff; r != 0 {
			*eobRun = uint16(1<<r|uint32(acc>>(64-r))) - 1
			acc <<= r
			n -= uint(r)
		}
		break
	}
	br.acc, br.n = acc, n
	return nil
}

// fastScan decodes a sequential scan from d.src at byte offset off (just
// after the SOS header) and returns the offset after its data, where the
// next marker is looked for. It is processSOS's sequential loop.
func (d *decoder) fastScan(off int, nComp int, scan *[maxComponents]scanComp, mxx, myy int) (int, error) {
	var ft fastTables
	for i := 0; i < nComp; i++ {
		td, ta := scan[i].td, scan[i].ta
		if d.huff[dcTable][td].nCodes == 0 || d.huff[acTable][ta].nCodes == 0 {
			return 0, FormatError("uninitialized Huffman table")
		}
		buildDC(&d.huff[dcTable][td], &ft.dc[td])
		buildAC(&d.huff[acTable][ta], &ft.ac[ta])
	}
	br := bitReader{src: d.src, pos: off}
	var (
		dc         [maxComponents]int32
		blockCount int
	)
	mcu, expectedRST := 0, uint8(rst0Marker)
	for my := 0; my < myy; my++ {
		for mx := 0; mx < mxx; mx++ {
			for i := 0; i < nComp; i++ {
				compIndex := scan[i].compIndex
				hi := d.comp[compIndex].h
				vi := d.comp[compIndex].v
				dct, act := &ft.dc[scan[i].td], &ft.ac[scan[i].ta]
				dch, ach := &d.huff[dcTable][scan[i].td], &d.huff[acTable][scan[i].ta]
				for j := 0; j < hi*vi; j++ {
					bx, by, ok := d.blockAt(nComp, hi, vi, mx, my, j, mxx, &blockCount)
					if !ok {
						continue
					}

					// The DC coefficient.
					if br.n < 32 {
						br.refill()
					}
					var l, s uint32
					if e := dct[br.acc>>(64-fastBits)]; e != 0 {
						l, s = uint32(e&0xff), uint32(e>>8)
					} else {
						var v uint8
						var ok bool
						if l, v, ok = slowCode(dch, uint32(br.acc>>48)); !ok {
							return 0, FormatError("bad Huffman code")
						}
						s = uint32(v)
					}
					if s > 16 {
						return 0, UnsupportedError("excessive DC component")
					}
					br.take(uint(l))
					diff := extend(uint32(br.acc>>(64-s)), s)
					br.take(uint(s))
					dc[compIndex] += diff

					// The AC coefficients: skipped.
					if d.eobRun > 0 {
						d.eobRun--
					} else if err := br.skipAC(act, ach, &d.eobRun); err != nil {
						return 0, err
					}
					if br.short() {
						return 0, errShortHuffmanData
					}
					if err := d.storeMean(dc[compIndex], bx, by, int(compIndex)); err != nil {
						return 0, err
					}
				} // for j
			} // for i
			mcu++
			if d.ri > 0 && mcu%d.ri == 0 && mcu < mxx*myy {
				// The RST marker should be where the data stopped.
				p := br.pos
				if p+1 >= len(d.src) || d.src[p] != 0xff || d.src[p+1] != expectedRST {
					q, err := findRSTIn(d.src, p, expectedRST)
					if err != nil {
						return 0, err
					}
					p = q
				}
				expectedRST = nextRST(expectedRST)
				br = bitReader{src: d.src, pos: p + 2}
				dc = [maxComponents]int32{}
				d.eobRun = 0
			}
		} // for mx
	} // for my
	return br.pos, nil
}

// findRSTIn is findRST over bytes in memory: the offset of the expected
// RST marker at or after p, skipping 0xff 0x00 and fill bytes; any other
// marker is an error.
func findRSTIn(src []byte, p int, expectedRST uint8) (int, error) {
	for {
		if p+1 >= len(src) {
			return 0, io.ErrUnexpectedEOF
		}
		if src[p] == 0xff {
			switch c := src[p+1]; {
			case c == expectedRST:
				return p, nil
			case c == 0xff:
				p++
				continue
			case c != 0x00:
				return 0, FormatError("bad RST marker")
			}
		}
		p++
	}
}

// nextMarker is the offset of the first marker at or after off that ends
// a scan's data: a 0xff not followed by 0x00 (stuffing) or an RST marker
// (the end of src if there is none).
func nextMarker(src []byte, off int) int {
	for off < len(src) {
		i := bytes.IndexByte(src[off:], 0xff)
		if i < 0 || off+i+1 >= len(src) {
			return len(src)
		}
		off += i
		if c := src[off+1]; c != 0x00 && (c < rst0Marker || c > rst7Marker) {
			return off
		}
		off += 2
	}
	return len(src)
}

// Progressive reports whether r holds a progressive JPEG, from its headers
// (false when they cannot be read).
func Progressive(r io.Reader) bool {
	var d decoder
	_, _ = d.decode(r, true)
	return d.progressive
}

// DecodeBytes is Decode of a JPEG held in memory: its sequential scans are
// read with the fast path (fastScan); of a progressive one only the DC
// coefficients are kept and its AC scans are not read.
func DecodeBytes(b []byte) (image.Image, error) {
	d := decoder{src: b, srcReader: bytes.NewReader(b)}
	return d.decode(d.srcReader, false)
}
