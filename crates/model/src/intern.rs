//! String interning: every text field of a row is a 4-byte [`Sym`].
//!
//! Rules compare and hash symbols, never strings. Symbol numbers depend on the
//! order strings were first seen, so nothing user-visible may be ordered by them:
//! sort by the text ([`Interner::get`]) when order shows in an output.

use rustc_hash::FxHashMap;

/// An interned string. `Sym::EMPTY` is the empty string, used for "absent".
#[derive(Copy, Clone, Eq, PartialEq, Ord, PartialOrd, Hash, Debug, Default)]
pub struct Sym(pub u32);

impl Sym {
    /// The empty text, the value of every absent optional field.
    pub const EMPTY: Sym = Sym(0);
    /// Whether this is the empty text.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// Owns the strings; `Sym(i)` is `strings[i]`.
#[derive(Clone, Debug)]
pub struct Interner {
    map: FxHashMap<Box<str>, Sym>,
    strings: Vec<Box<str>>,
}

impl Default for Interner {
    fn default() -> Self {
        Self::new()
    }
}

impl Interner {
    /// An interner holding only the empty text (as [`Sym::EMPTY`]).
    pub fn new() -> Self {
        let mut map = FxHashMap::default();
        map.insert(Box::<str>::from(""), Sym::EMPTY);
        Interner {
            map,
            strings: vec![Box::from("")],
        }
    }

    /// The symbol of `s`, adding it if new.
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&sym) = self.map.get(s) {
            return sym;
        }
        let sym = Sym(u32::try_from(self.strings.len()).expect("more than 4 billion distinct strings"));
        let b: Box<str> = Box::from(s);
        self.strings.push(b.clone());
        self.map.insert(b, sym);
        sym
    }

    /// The symbol of `s` if it was ever interned.
    pub fn lookup(&self, s: &str) -> Option<Sym> {
        self.map.get(s).copied()
    }

    /// The text of a symbol.
    pub fn get(&self, sym: Sym) -> &str {
        &self.strings[sym.0 as usize]
    }

    /// How many distinct texts it holds, the empty one included.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// Whether it holds nothing but the empty text.
    pub fn is_empty(&self) -> bool {
        self.strings.len() == 1
    }

    /// Adds every string of `other` and returns, indexed by `other`'s symbol
    /// numbers, the symbols they have here. Used to merge per-file interners.
    pub fn absorb(&mut self, other: &Interner) -> Vec<Sym> {
        other.strings.iter().map(|s| self.intern(s)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_and_merges() {
        let mut a = Interner::new();
        let x = a.intern("Verizon");
        assert_eq!(a.intern("Verizon"), x);
        assert_eq!(a.intern(""), Sym::EMPTY);
        assert_eq!(a.get(x), "Verizon");
        let mut b = Interner::new();
        let y = b.intern("AT&T");
        let v = b.intern("Verizon");
        let map = a.absorb(&b);
        assert_eq!(a.get(map[y.0 as usize]), "AT&T");
        assert_eq!(map[v.0 as usize], x);
        assert_eq!(map[0], Sym::EMPTY);
    }
}
