//! `weights.bin`: every tensor as little-endian f16, in the order
//! `router.json`'s `tensors` lists them.

use half::f16;

/// Tensors by name, to write.
pub type Named<'a> = Vec<(&'static str, &'a [f32])>;

/// The bytes of `weights.bin` and the (name, length) list for router.json.
pub fn encode(tensors: &Named) -> (Vec<u8>, Vec<(String, usize)>) {
    let mut bytes = Vec::new();
    for (_, t) in tensors {
        for v in t.iter() {
            bytes.extend_from_slice(&f16::from_f32(*v).to_le_bytes());
        }
    }
    let shapes = tensors
        .iter()
        .map(|(n, t)| (n.to_string(), t.len()))
        .collect();
    (bytes, shapes)
}

/// A loaded `weights.bin`, read tensor by tensor.
pub struct Tensors<'a> {
    shapes: &'a [(String, usize)],
    bytes: Vec<u8>,
}

impl<'a> Tensors<'a> {
    /// Checks that the file is as long as router.json says.
    pub fn new(shapes: &'a [(String, usize)], bytes: Vec<u8>) -> Result<Self, String> {
        let total: usize = shapes.iter().map(|(_, n)| n).sum();
        if bytes.len() != total * 2 {
            return Err(format!(
                "weights.bin has {} bytes, router.json describes {}",
                bytes.len(),
                total * 2
            ));
        }
        Ok(Tensors { shapes, bytes })
    }

    /// The tensor called `name`, as f32.
    pub fn take(&self, name: &str) -> Result<Vec<f32>, String> {
        let idx = self
            .shapes
            .iter()
            .position(|(n, _)| n == name)
            .ok_or(format!("weights.bin lacks tensor {name}"))?;
        let start: usize = self.shapes[..idx].iter().map(|(_, n)| n).sum();
        let len = self.shapes[idx].1;
        Ok(self.bytes[start * 2..(start + len) * 2]
            .chunks_exact(2)
            .map(|c| f16::from_le_bytes([c[0], c[1]]).to_f32())
            .collect())
    }

    /// A tensor that must have exactly `len` values.
    pub fn take_len(&self, name: &str, len: usize) -> Result<Vec<f32>, String> {
        let t = self.take(name)?;
        if t.len() != len {
            return Err(format!(
                "tensor {name} has {} values, expected {len}",
                t.len()
            ));
        }
        Ok(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_in_f16() {
        let (a, b) = (vec![0.5f32, -1.25, 3.0], vec![0.1f32]);
        let (bytes, shapes) = encode(&vec![("a", &a[..]), ("b", &b[..])]);
        assert_eq!(shapes, vec![("a".to_string(), 3), ("b".to_string(), 1)]);
        let t = Tensors::new(&shapes, bytes.clone()).unwrap();
        assert_eq!(t.take("a").unwrap(), a);
        assert!((t.take("b").unwrap()[0] - 0.1).abs() < 1e-3);
        assert!(t.take("c").unwrap_err().contains("lacks tensor c"));
        assert!(t.take_len("a", 2).is_err());
        assert!(Tensors::new(&shapes, bytes[..4].to_vec()).is_err());
    }
}
