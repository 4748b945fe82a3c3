//! R1CS matrices in a compact form the prover keeps between setup and proving.
//!
//! arkworks' [`ConstraintMatrices`] holds every term as an `(Fr, usize)` pair (40 bytes) and
//! is rebuilt by every proof from the synthesized linear combinations, the largest memory
//! cost of proving. [`R1cs`] stores each matrix as compressed sparse rows with 32-bit
//! column indices and 32-bit indices into one table of distinct coefficients (8 bytes a
//! term: the wrap verifier's coefficients are mostly ±1, powers of two and a few thousand
//! constants). The prover then synthesizes only the witness and evaluates `A·z`, `B·z`,
//! `C·z` from these matrices ([`R1cs::evaluate`]), which doubles as the satisfaction check.

use std::collections::HashMap;

use ark_bn254::Fr;
use ark_ff::{One, Zero};
use ark_relations::r1cs::ConstraintMatrices;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use rayon::prelude::*;

/// Why matrices could not be converted or read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum R1csError {
    /// A count does not fit the 32-bit indices of the compact form.
    #[error("{what} ({count}) does not fit a 32-bit index")]
    TooLarge {
        /// What overflowed.
        what: &'static str,
        /// Its value.
        count: usize,
    },
    /// The serialized matrices are malformed.
    #[error("malformed R1CS matrices: {0}")]
    Malformed(String),
}

/// One matrix in compressed sparse rows: row `i` holds the terms
/// `row_starts[i]..row_starts[i + 1]` of `columns` and `coefficients`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
struct SparseMatrix {
    row_starts: Vec<u32>,
    columns: Vec<u32>,
    coefficients: Vec<u32>,
}

impl SparseMatrix {
    fn rows(&self) -> usize {
        self.row_starts.len() - 1
    }

    /// `Σ coefficient · full[column]` over row `i`.
    fn row_value(&self, i: usize, table: &[Fr], full: &[Fr]) -> Fr {
        let (start, end) = (self.row_starts[i] as usize, self.row_starts[i + 1] as usize);
        let mut acc = Fr::zero();
        for (&col, &coeff) in self.columns[start..end]
            .iter()
            .zip(&self.coefficients[start..end])
        {
            let value = full[col as usize];
            let coeff = table[coeff as usize];
            // Most coefficients are 1: skip the multiplication.
            if coeff.is_one() {
                acc += value;
            } else {
                acc += coeff * value;
            }
        }
        acc
    }
}

fn index(what: &'static str, count: usize) -> Result<u32, R1csError> {
    u32::try_from(count).map_err(|_| R1csError::TooLarge { what, count })
}

/// The three matrices of a rank-1 constraint system over BN254's Fr with its variable
/// counts (the constant 1 counts as an instance variable, as in arkworks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct R1cs {
    /// Instance variables, the constant 1 included.
    pub num_instance: usize,
    /// Witness variables.
    pub num_witness: usize,
    table: Vec<Fr>,
    a: SparseMatrix,
    b: SparseMatrix,
    c: SparseMatrix,
}

/// The evaluations `A·z`, `B·z`, `C·z` of every constraint, zero-padded to a length.
pub struct RowValues {
    /// `A·z`.
    pub a: Vec<Fr>,
    /// `B·z`.
    pub b: Vec<Fr>,
    /// `C·z`.
    pub c: Vec<Fr>,
}

impl R1cs {
    /// Converts arkworks' matrices (from a finalized system with matrices).
    pub fn from_arkworks(m: &ConstraintMatrices<Fr>) -> Result<Self, R1csError> {
        index(
            "variables",
            m.num_instance_variables + m.num_witness_variables,
        )?;
        let mut table = Vec::new();
        let mut ids: HashMap<Fr, u32> = HashMap::new();
        let mut convert = |rows: &[Vec<(Fr, usize)>]| -> Result<SparseMatrix, R1csError> {
            let terms: usize = rows.iter().map(Vec::len).sum();
            index("matrix terms", terms)?;
            let mut out = SparseMatrix {
                row_starts: Vec::with_capacity(rows.len() + 1),
                columns: Vec::with_capacity(terms),
                coefficients: Vec::with_capacity(terms),
            };
            out.row_starts.push(0);
            for row in rows {
                for (coeff, col) in row {
                    let next = index("distinct coefficients", table.len())?;
                    let id = *ids.entry(*coeff).or_insert_with(|| {
                        table.push(*coeff);
                        next
                    });
                    out.columns.push(*col as u32);
                    out.coefficients.push(id);
                }
                out.row_starts.push(out.columns.len() as u32);
            }
            Ok(out)
        };
        let (a, b, c) = (convert(&m.a)?, convert(&m.b)?, convert(&m.c)?);
        Ok(Self {
            num_instance: m.num_instance_variables,
            num_witness: m.num_witness_variables,
            table,
            a,
            b,
            c,
        })
    }

    /// Number of constraints.
    pub fn num_constraints(&self) -> usize {
        self.a.rows()
    }

    /// Number of non-zero terms over the three matrices.
    pub fn num_terms(&self) -> usize {
        self.a.columns.len() + self.b.columns.len() + self.c.columns.len()
    }

    /// Evaluates every constraint's `A·z`, `B·z`, `C·z` for the full assignment `z`
    /// (`[1, inputs…, witness…]`, of length `num_instance + num_witness`), each vector
    /// zero-padded to `len ≥ num_constraints`.
    ///
    /// # Panics
    /// If `z` or `len` is shorter than that.
    pub fn evaluate(&self, full: &[Fr], len: usize) -> RowValues {
        assert_eq!(
            full.len(),
            self.num_instance + self.num_witness,
            "assignment length"
        );
        let rows = self.num_constraints();
        assert!(len >= rows, "padded length below the constraint count");
        let eval = |m: &SparseMatrix| {
            let mut v = vec![Fr::zero(); len];
            v[..rows]
                .par_iter_mut()
                .enumerate()
                .for_each(|(i, x)| *x = m.row_value(i, &self.table, full));
            v
        };
        RowValues {
            a: eval(&self.a),
            b: eval(&self.b),
            c: eval(&self.c),
        }
    }

    /// The first constraint `i` with `A·z · B·z ≠ C·z`, if any.
    pub fn first_unsatisfied(&self, values: &RowValues) -> Option<usize> {
        (0..self.num_constraints())
            .into_par_iter()
            .find_first(|&i| values.a[i] * values.b[i] != values.c[i])
    }

    /// The serialized form: counts as u64 LE, the coefficient table (32-byte canonical
    /// little-endian elements), then per matrix its term count, row starts, columns and
    /// coefficient indices as u32 LE.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + 32 * self.table.len() + 8 * self.num_terms());
        for n in [
            self.num_instance,
            self.num_witness,
            self.num_constraints(),
            self.table.len(),
        ] {
            out.extend_from_slice(&(n as u64).to_le_bytes());
        }
        for coeff in &self.table {
            coeff
                .serialize_uncompressed(&mut out)
                .expect("writing to a Vec cannot fail");
        }
        for m in [&self.a, &self.b, &self.c] {
            out.extend_from_slice(&(m.columns.len() as u64).to_le_bytes());
            for list in [&m.row_starts, &m.columns, &m.coefficients] {
                for x in list.iter() {
                    out.extend_from_slice(&x.to_le_bytes());
                }
            }
        }
        out
    }

    /// Parses [`Self::to_bytes`]'s form, checking every index so that evaluation cannot go
    /// out of bounds.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, R1csError> {
        let mut r = Reader { bytes, at: 0 };
        let num_instance = r.count("instance variables")?;
        let num_witness = r.count("witness variables")?;
        let rows = r.count("constraints")?;
        let table_len = r.count("coefficients")?;
        let vars = num_instance
            .checked_add(num_witness)
            .filter(|&n| n <= u32::MAX as usize && num_instance >= 1)
            .ok_or_else(|| R1csError::Malformed("bad variable counts".into()))?;
        let table = (0..table_len)
            .map(|_| {
                let chunk = r.take(32, "coefficient")?;
                Fr::deserialize_uncompressed(chunk)
                    .map_err(|e| R1csError::Malformed(format!("coefficient: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut matrix = |name: &'static str| -> Result<SparseMatrix, R1csError> {
            let terms = r.count(name)?;
            let m = SparseMatrix {
                row_starts: r.u32s(rows + 1, name)?,
                columns: r.u32s(terms, name)?,
                coefficients: r.u32s(terms, name)?,
            };
            let bad = |why: &str| Err(R1csError::Malformed(format!("matrix {name}: {why}")));
            if m.row_starts[0] != 0
                || m.row_starts[rows] as usize != terms
                || m.row_starts.windows(2).any(|w| w[0] > w[1])
            {
                return bad("row starts are not increasing from 0 to the term count");
            }
            if m.columns.iter().any(|&c| c as usize >= vars) {
                return bad("a column beyond the variables");
            }
            if m.coefficients.iter().any(|&c| c as usize >= table.len()) {
                return bad("a coefficient index beyond the table");
            }
            Ok(m)
        };
        let (a, b, c) = (matrix("A")?, matrix("B")?, matrix("C")?);
        if r.at != bytes.len() {
            return Err(R1csError::Malformed(format!(
                "{} trailing bytes",
                bytes.len() - r.at
            )));
        }
        Ok(Self {
            num_instance,
            num_witness,
            table,
            a,
            b,
            c,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], R1csError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| R1csError::Malformed(format!("truncated at {what}")))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    fn count(&mut self, what: &str) -> Result<usize, R1csError> {
        let n = u64::from_le_bytes(self.take(8, what)?.try_into().expect("8 bytes"));
        // Every count indexes u32 entries; larger ones cannot come from `to_bytes`.
        if n > u32::MAX as u64 {
            return Err(R1csError::Malformed(format!("{what}: {n} is too large")));
        }
        Ok(n as usize)
    }

    fn u32s(&mut self, n: usize, what: &str) -> Result<Vec<u32>, R1csError> {
        let len = n
            .checked_mul(4)
            .ok_or_else(|| R1csError::Malformed(format!("{what}: length overflows")))?;
        Ok(self
            .take(len, what)?
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::Field;
    use ark_r1cs_std::alloc::AllocVar;
    use ark_r1cs_std::eq::EqGadget;
    use ark_r1cs_std::fields::fp::FpVar;
    use ark_r1cs_std::fields::FieldVar;
    use ark_relations::r1cs::{ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef};
    use ark_relations::r1cs::{SynthesisError, SynthesisMode};

    /// `y = (x + 3)² · x + 5x`, y public: terms with coefficients other than 1.
    struct Cubic(Option<Fr>);

    impl ConstraintSynthesizer<Fr> for Cubic {
        fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
            let out = self
                .0
                .map(|x| (x + Fr::from(3u8)).square() * x + Fr::from(5u8) * x);
            let y = FpVar::new_input(cs.clone(), || out.ok_or(SynthesisError::AssignmentMissing))?;
            let x = FpVar::new_witness(cs, || self.0.ok_or(SynthesisError::AssignmentMissing))?;
            let s = (&x + Fr::from(3u8)).square()?;
            (s * &x + &x * Fr::from(5u8)).enforce_equal(&y)
        }
    }

    fn arkworks(x: Option<Fr>) -> (ConstraintMatrices<Fr>, Vec<Fr>) {
        let cs = ConstraintSystem::new_ref();
        if x.is_none() {
            cs.set_mode(SynthesisMode::Setup);
        }
        Cubic(x).generate_constraints(cs.clone()).unwrap();
        cs.finalize();
        let m = cs.to_matrices().unwrap();
        let inner = cs.borrow().unwrap();
        let mut full = inner.instance_assignment.clone();
        full.extend_from_slice(&inner.witness_assignment);
        (m, full)
    }

    fn naive(rows: &[Vec<(Fr, usize)>], full: &[Fr]) -> Vec<Fr> {
        rows.iter()
            .map(|r| r.iter().map(|(c, i)| *c * full[*i]).sum())
            .collect()
    }

    #[test]
    fn evaluates_as_arkworks_matrices_and_finds_the_broken_row() {
        let (m, mut full) = arkworks(Some(Fr::from(7u8)));
        let r1cs = R1cs::from_arkworks(&m).unwrap();
        assert_eq!(r1cs.num_constraints(), m.num_constraints);
        assert_eq!(
            r1cs.num_terms(),
            m.a_num_non_zero + m.b_num_non_zero + m.c_num_non_zero
        );
        let v = r1cs.evaluate(&full, 8);
        let rows = m.num_constraints;
        assert_eq!(&v.a[..rows], naive(&m.a, &full).as_slice());
        assert_eq!(&v.b[..rows], naive(&m.b, &full).as_slice());
        assert_eq!(&v.c[..rows], naive(&m.c, &full).as_slice());
        assert!(v.a[rows..].iter().all(Fr::is_zero));
        assert_eq!(r1cs.first_unsatisfied(&v), None);

        // The witness x changed: the first constraint that uses x fails, and it is named.
        full[2] += Fr::ONE;
        let v = r1cs.evaluate(&full, 8);
        let expected = (0..rows).find(|&i| v.a[i] * v.b[i] != v.c[i]);
        assert!(expected.is_some());
        assert_eq!(r1cs.first_unsatisfied(&v), expected);
    }

    #[test]
    fn setup_mode_gives_the_same_matrices_and_bytes_round_trip() {
        let (with_witness, _) = arkworks(Some(Fr::from(7u8)));
        let (setup, _) = arkworks(None);
        let r1cs = R1cs::from_arkworks(&setup).unwrap();
        assert_eq!(r1cs, R1cs::from_arkworks(&with_witness).unwrap());
        let bytes = r1cs.to_bytes();
        assert_eq!(R1cs::from_bytes(&bytes).unwrap(), r1cs);
    }

    #[test]
    fn malformed_bytes_are_refused() {
        let (m, _) = arkworks(None);
        let r1cs = R1cs::from_arkworks(&m).unwrap();
        let bytes = r1cs.to_bytes();
        let refused = |b: &[u8]| matches!(R1cs::from_bytes(b), Err(R1csError::Malformed(_)));

        assert!(refused(&bytes[..bytes.len() - 1]), "truncated");
        let mut long = bytes.clone();
        long.push(0);
        assert!(refused(&long), "trailing byte");

        // A coefficient equal to the modulus is not canonical.
        let mut bad = bytes.clone();
        bad[32..64].copy_from_slice(&ark_ff::BigInteger::to_bytes_le(
            &<Fr as ark_ff::PrimeField>::MODULUS,
        ));
        assert!(refused(&bad), "coefficient = r");

        // Offsets of the A matrix's parts.
        let header = 32 + 32 * r1cs.table.len();
        let rows = r1cs.num_constraints();
        let starts = header + 8;
        let columns = starts + 4 * (rows + 1);
        let coeffs = columns + 4 * r1cs.a.columns.len();
        let put = |at: usize, v: u32| {
            let mut b = bytes.clone();
            b[at..at + 4].copy_from_slice(&v.to_le_bytes());
            b
        };
        assert!(refused(&put(starts, 1)), "first row start not 0");
        assert!(
            refused(&put(columns, (r1cs.num_instance + r1cs.num_witness) as u32)),
            "column out of range"
        );
        assert!(
            refused(&put(coeffs, r1cs.table.len() as u32)),
            "coefficient index out of range"
        );
        assert!(rows >= 2);
        assert!(refused(&put(starts + 4, u32::MAX)), "decreasing row starts");
    }
}
