//! Optimal one-to-one assignment of tracks to detections.

use pathfinding::kuhn_munkres::kuhn_munkres;
use pathfinding::matrix::Matrix;

/// Weights are similarities in [0, 1]; the solver works on integers, so they are scaled by this.
const SCALE: f64 = 1e6;
/// What a gated-in pair earns on top of its margin over the gate: ByteTrack (through scipy's
/// linear_sum_assignment) caps rejected costs at `thresh + 1e-4`, which is this, so pairs exactly
/// at the gate still beat rejected ones and the optimum is ByteTrack's.
const EPS: f64 = 1e-4;

/// The pairs (row, column) of the assignment that maximises the summed similarity over pairs
/// whose similarity reaches `gate`. `sim` returns None for pairs that may never match (other
/// class). Equivalent to ByteTrack's `linear_assignment(1 - sim, 1 - gate)`.
pub(crate) fn assign(
    rows: usize,
    cols: usize,
    gate: f64,
    sim: impl Fn(usize, usize) -> Option<f64>,
) -> Vec<(usize, usize)> {
    if rows == 0 || cols == 0 {
        return Vec::new();
    }
    let weight = |r, c| match sim(r, c) {
        Some(s) if s >= gate => ((s - gate + EPS) * SCALE).round() as i64,
        _ => 0,
    };
    // kuhn_munkres wants no more rows than columns: solve the transpose when needed.
    let transpose = rows > cols;
    let (n, m) = if transpose {
        (cols, rows)
    } else {
        (rows, cols)
    };
    let mut w = Matrix::new(n, m, 0i64);
    let mut any = false;
    for i in 0..n {
        for j in 0..m {
            let v = if transpose {
                weight(j, i)
            } else {
                weight(i, j)
            };
            any |= v > 0;
            w[(i, j)] = v;
        }
    }
    if !any {
        return Vec::new();
    }
    let (_, cols_of) = kuhn_munkres(&w);
    cols_of
        .into_iter()
        .enumerate()
        .filter(|&(i, j)| w[(i, j)] > 0)
        .map(|(i, j)| if transpose { (j, i) } else { (i, j) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solve(m: &[&[f64]], gate: f64) -> Vec<(usize, usize)> {
        let mut p = assign(m.len(), m[0].len(), gate, |r, c| Some(m[r][c]));
        p.sort();
        p
    }

    #[test]
    fn finds_the_optimum_where_greedy_fails() {
        // Greedy takes (0,0) at 0.6 and leaves row 1 without a partner above the gate.
        let m: &[&[f64]] = &[&[0.6, 0.5], &[0.5, 0.0]];
        assert_eq!(solve(m, 0.2), vec![(0, 1), (1, 0)]);
    }

    #[test]
    fn pairs_under_the_gate_are_left_unmatched() {
        let m: &[&[f64]] = &[&[0.9, 0.1], &[0.1, 0.15]];
        assert_eq!(solve(m, 0.2), vec![(0, 0)]);
    }

    #[test]
    fn more_rows_than_columns_and_forbidden_pairs() {
        let m: &[&[f64]] = &[&[0.3], &[0.8], &[0.5]];
        assert_eq!(solve(m, 0.2), vec![(1, 0)]);
        let p = assign(2, 2, 0.2, |r, c| if r == c { None } else { Some(0.5) });
        let mut p = p;
        p.sort();
        assert_eq!(p, vec![(0, 1), (1, 0)]);
        assert!(assign(0, 3, 0.2, |_, _| Some(1.0)).is_empty());
    }
}
