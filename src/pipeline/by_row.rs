//! Records and link rows found by their data row.
//!
//! A source's records, and its link rows, come in the order of their rows:
//! the master finds the one of a row by its position (checked), without
//! building a hash map of a large extract's rows for every table that
//! joins them. Rows out of order (never produced by the readers, but not
//! assumed) fall back to a map.

/// Items of a slice, found by their data row.
pub(crate) struct ByRow<'a, T> {
    items: &'a [T],
    row: fn(&T) -> u64,
    /// `None` when `items` are in strictly increasing row order.
    map: Option<foldhash::HashMap<u64, usize>>,
}

impl<'a, T> ByRow<'a, T> {
    /// `items`, whose data row `row` gives.
    pub(crate) fn new(items: &'a [T], row: fn(&T) -> u64) -> ByRow<'a, T> {
        let sorted = items.windows(2).all(|w| row(&w[0]) < row(&w[1]));
        let map = (!sorted).then(|| {
            let mut m = foldhash::HashMap::default();
            for (i, it) in items.iter().enumerate() {
                // A repeated row keeps its last item, as collecting into a
                // map did.
                m.insert(row(it), i);
            }
            m
        });
        ByRow { items, row, map }
    }

    /// The item of data row `r`.
    pub(crate) fn get(&self, r: u64) -> Option<&'a T> {
        self.items.get(self.position(r)?)
    }

    /// The position in the slice of the item of data row `r`.
    pub(crate) fn position(&self, r: u64) -> Option<usize> {
        Some(match &self.map {
            Some(m) => *m.get(&r)?,
            None => {
                // Rows are usually 1, 2, 3…: the item sits at r - 1.
                let guess = usize::try_from(r).ok()?.checked_sub(1)?;
                match self.items.get(guess) {
                    Some(it) if (self.row)(it) == r => guess,
                    _ => self.items.binary_search_by_key(&r, self.row).ok()?,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_by_position_by_search_and_by_map() {
        let dense = [1u64, 2, 3, 4];
        let by = ByRow::new(&dense, |&r| r);
        assert!(by.map.is_none());
        assert_eq!(by.get(3), Some(&3));
        assert_eq!(by.get(5), None);
        assert_eq!(by.get(0), None);
        let gaps = [2u64, 5, 9];
        let by = ByRow::new(&gaps, |&r| r);
        assert_eq!(by.get(5), Some(&5));
        assert_eq!(by.position(9), Some(2));
        assert_eq!(by.get(4), None);
        let shuffled = [(9u64, 'a'), (2, 'b'), (5, 'c'), (2, 'd')];
        let by = ByRow::new(&shuffled, |r| r.0);
        assert!(by.map.is_some());
        assert_eq!(by.get(5), Some(&(5, 'c')));
        assert_eq!(by.get(2), Some(&(2, 'd')));
        assert_eq!(by.get(7), None);
    }
}
