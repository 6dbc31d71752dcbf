//! A minimal PNG encoder for 8-bit RGB images (ISO/IEC 15948: signature, IHDR, one zlib IDAT,
//! IEND, CRC-32 per chunk), so plots are rendered in memory, written atomically and embedded in
//! the HTML without a temporary file.

use flate2::write::ZlibEncoder;
use flate2::{Compression, Crc};
use std::io::Write;

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Encode `rgb` (row-major, 3 bytes per pixel, `width·height·3` bytes) as a PNG file.
/// Each scanline uses filter type 2 ("Up": byte minus the byte above), which suits plots with
/// large flat areas.
pub fn encode_rgb(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    let stride = width as usize * 3;
    assert_eq!(rgb.len(), stride * height as usize, "RGB buffer does not match {width}x{height}");
    let mut raw = Vec::with_capacity((stride + 1) * height as usize);
    for (y, row) in rgb.chunks_exact(stride.max(1)).enumerate() {
        raw.push(2);
        if y == 0 {
            raw.extend_from_slice(row);
        } else {
            let above = &rgb[(y - 1) * stride..y * stride];
            raw.extend(row.iter().zip(above).map(|(a, b)| a.wrapping_sub(*b)));
        }
    }
    let mut z = ZlibEncoder::new(Vec::new(), Compression::default());
    z.write_all(&raw).expect("writing to a Vec cannot fail");
    let idat = z.finish().expect("writing to a Vec cannot fail");
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // bit depth 8, colour type RGB, deflate, adaptive filters, no interlace
    let mut out = SIGNATURE.to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &idat);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    out.extend(kind);
    out.extend(data);
    let mut crc = Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend(crc.sum().to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    const CRC_1X2: u32 = 0x16e3_2170;

    #[test]
    fn one_red_pixel_round_trips() {
        let png = encode_rgb(1, 2, &[255, 0, 0, 250, 0, 0]);
        assert_eq!(&png[..8], &SIGNATURE);
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(u32::from_be_bytes(png[16..20].try_into().unwrap()), 1);
        assert_eq!(u32::from_be_bytes(png[20..24].try_into().unwrap()), 2);
        // CRC of this IHDR chunk from Python: zlib.crc32(b'IHDR' + header bytes).
        assert_eq!(u32::from_be_bytes(png[29..33].try_into().unwrap()), CRC_1X2);
        let idat_len = u32::from_be_bytes(png[33..37].try_into().unwrap()) as usize;
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::ZlibDecoder::new(&png[41..41 + idat_len]), &mut raw).unwrap();
        assert_eq!(raw, vec![2, 255, 0, 0, 2, 251, 0, 0]);
        assert!(png.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xae, 0x42, 0x60, 0x82]));
    }
}
