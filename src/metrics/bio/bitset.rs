//! A fixed-length bitset: the gene sets of §5.1 and the co-expression edge sets of §5.2 (one
//! bit per gene pair, 477 753 bits for 978 genes).

/// A set of indices `0..len`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bitset {
    len: usize,
    words: Vec<u64>,
}

impl Bitset {
    /// The empty set over `0..len`.
    pub fn new(len: usize) -> Self {
        Bitset { len, words: vec![0; len.div_ceil(64)] }
    }

    /// The set `{ i : member(i) }`.
    pub fn from_fn(len: usize, mut member: impl FnMut(usize) -> bool) -> Self {
        let mut set = Bitset::new(len);
        for i in 0..len {
            if member(i) {
                set.insert(i);
            }
        }
        set
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn insert(&mut self, i: usize) {
        assert!(i < self.len, "bit {i} out of range 0..{}", self.len);
        self.words[i / 64] |= 1 << (i % 64);
    }

    pub fn contains(&self, i: usize) -> bool {
        i < self.len && self.words[i / 64] >> (i % 64) & 1 == 1
    }

    /// `|self|`.
    pub fn count(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// `|self ∩ other|`.
    pub fn intersection_count(&self, other: &Bitset) -> usize {
        assert_eq!(self.len, other.len, "bitsets of different lengths");
        self.words.iter().zip(&other.words).map(|(a, b)| (a & b).count_ones() as usize).sum()
    }

    /// `|self \ other|`.
    pub fn difference_count(&self, other: &Bitset) -> usize {
        assert_eq!(self.len, other.len, "bitsets of different lengths");
        self.words.iter().zip(&other.words).map(|(a, b)| (a & !b).count_ones() as usize).sum()
    }

    /// The members in increasing order.
    pub fn members(&self) -> Vec<usize> {
        (0..self.len).filter(|&i| self.contains(i)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_across_word_boundaries() {
        let a = Bitset::from_fn(130, |i| i % 3 == 0); // 0, 3, …, 129: 44 members
        let b = Bitset::from_fn(130, |i| i % 2 == 0); // 65 members
        assert_eq!((a.count(), b.count()), (44, 65));
        assert_eq!(a.intersection_count(&b), 22); // multiples of 6 in 0..130
        assert_eq!(a.difference_count(&b), 22);
        assert!(a.contains(129) && !a.contains(128) && !a.contains(130));
        assert_eq!(Bitset::new(130).count(), 0);
        assert_eq!(a.members()[..3], [0, 3, 6]);
    }
}
