//! ByteTrack's constant-velocity Kalman filter on (cx, cy, aspect, h).
//!
//! ByteTrack (after DeepSORT) keeps an 8x8 state covariance, but its motion matrix couples each
//! coordinate only with its own velocity, and the initial, process and measurement noises are all
//! diagonal. The covariance therefore stays four independent 2x2 blocks forever, and running
//! four 2x2 filters is the same filter, exactly, at a fraction of the cost (no 8x8 products, no
//! Cholesky). The noise scales (1/20 of the height for positions, 1/160 for velocities, fixed
//! values for the aspect ratio) are ByteTrack's.

const STD_POS: f64 = 1.0 / 20.0;
const STD_VEL: f64 = 1.0 / 160.0;

/// One coordinate's 2x2 covariance block, symmetric: (pos-pos, pos-vel, vel-vel).
type Block = [f64; 3];

#[derive(Clone, Debug)]
pub(crate) struct BoxFilter {
    /// cx, cy, aspect (w / h), h.
    x: [f64; 4],
    v: [f64; 4],
    p: [Block; 4],
}

fn pos_std(h: f64) -> [f64; 4] {
    [STD_POS * h, STD_POS * h, 1e-2, STD_POS * h]
}

fn vel_std(h: f64) -> [f64; 4] {
    [STD_VEL * h, STD_VEL * h, 1e-5, STD_VEL * h]
}

impl BoxFilter {
    /// A new track at `xyxy`, velocities zero and uncertain.
    pub(crate) fn new(xyxy: [f64; 4]) -> Self {
        let x = to_xyah(xyxy);
        let (sp, sv) = (pos_std(x[3]), vel_std(x[3]));
        let mut p = [[0.0; 3]; 4];
        for i in 0..4 {
            // ByteTrack starts with twice the position and ten times the velocity noise (the
            // aspect ratio's fixed values are not scaled).
            let (kp, kv) = if i == 2 { (1.0, 1.0) } else { (2.0, 10.0) };
            p[i] = [(kp * sp[i]).powi(2), 0.0, (kv * sv[i]).powi(2)];
        }
        Self { x, v: [0.0; 4], p }
    }

    /// One frame ahead. `freeze_height_rate`: ByteTrack zeroes the height velocity of a track
    /// that is not currently seen, so a lost box does not grow or shrink without evidence.
    pub(crate) fn predict(&mut self, freeze_height_rate: bool) {
        if freeze_height_rate {
            self.v[3] = 0.0;
        }
        let (sp, sv) = (pos_std(self.x[3]), vel_std(self.x[3]));
        for i in 0..4 {
            self.x[i] += self.v[i];
            let [a, b, c] = self.p[i];
            self.p[i] = [a + 2.0 * b + c + sp[i] * sp[i], b + c, c + sv[i] * sv[i]];
        }
    }

    /// Corrects with a measured box.
    pub(crate) fn update(&mut self, xyxy: [f64; 4]) {
        let z = to_xyah(xyxy);
        let h = self.x[3];
        let r = [STD_POS * h, STD_POS * h, 1e-1, STD_POS * h];
        for i in 0..4 {
            let [a, b, c] = self.p[i];
            let s = a + r[i] * r[i];
            let (k0, k1) = (a / s, b / s);
            let y = z[i] - self.x[i];
            self.x[i] += k0 * y;
            self.v[i] += k1 * y;
            self.p[i] = [a - k0 * a, b - k0 * b, c - k1 * b];
        }
    }

    pub(crate) fn xyxy(&self) -> [f64; 4] {
        let [cx, cy, a, h] = self.x;
        let w = a * h;
        [cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0]
    }

    #[cfg(test)]
    pub(crate) fn velocity(&self) -> [f64; 4] {
        self.v
    }
}

fn to_xyah(b: [f64; 4]) -> [f64; 4] {
    let (w, h) = (b[2] - b[0], b[3] - b[1]);
    [b[0] + w / 2.0, b[1] + h / 2.0, w / h, h]
}

#[cfg(test)]
// Matrix algebra reads best with index loops.
#[allow(clippy::needless_range_loop)]
mod tests {
    use super::*;

    #[test]
    fn learns_a_constant_velocity_and_predicts_ahead() {
        let at = |t: f64| {
            [
                10.0 + 4.0 * t,
                20.0 - 2.0 * t,
                50.0 + 4.0 * t,
                100.0 - 2.0 * t,
            ]
        };
        let mut f = BoxFilter::new(at(0.0));
        for t in 1..40 {
            f.predict(false);
            f.update(at(t as f64));
        }
        let v = f.velocity();
        assert!(
            (v[0] - 4.0).abs() < 0.05 && (v[1] + 2.0).abs() < 0.05,
            "velocity {v:?}"
        );
        assert!(v[2].abs() < 1e-3 && v[3].abs() < 0.05, "velocity {v:?}");
        f.predict(false);
        let (want, got) = (at(40.0), f.xyxy());
        for i in 0..4 {
            assert!(
                (want[i] - got[i]).abs() < 0.5,
                "predicted {got:?}, truth {want:?}"
            );
        }
    }

    #[test]
    fn a_measurement_pulls_the_state_part_way_and_shrinks_the_uncertainty() {
        let mut f = BoxFilter::new([0.0, 0.0, 50.0, 100.0]);
        f.predict(false);
        let before = f.p[0][0];
        f.update([10.0, 0.0, 60.0, 100.0]);
        let cx = f.xyxy()[0] + 25.0;
        assert!(cx > 25.0 && cx < 35.0, "centre {cx}");
        assert!(f.p[0][0] < before);
        // The 2x2 block stays a covariance (positive definite).
        for [a, b, c] in f.p {
            assert!(a > 0.0 && c > 0.0 && a * c - b * b > 0.0);
        }
    }

    /// ByteTrack's filter as written there: 8x8 covariance, full matrix products, F P F' + Q,
    /// K = P H' S^-1 (S is diagonal-dominant 4x4; solved by Gauss-Jordan here).
    struct Full {
        m: [f64; 8],
        p: [[f64; 8]; 8],
    }

    impl Full {
        fn new(z: [f64; 4]) -> Self {
            let h = z[3];
            let std = [
                2.0 * STD_POS * h,
                2.0 * STD_POS * h,
                1e-2,
                2.0 * STD_POS * h,
                10.0 * STD_VEL * h,
                10.0 * STD_VEL * h,
                1e-5,
                10.0 * STD_VEL * h,
            ];
            let mut p = [[0.0; 8]; 8];
            for i in 0..8 {
                p[i][i] = std[i] * std[i];
            }
            let mut m = [0.0; 8];
            m[..4].copy_from_slice(&z);
            Self { m, p }
        }

        fn predict(&mut self) {
            let h = self.m[3];
            let (sp, sv) = (pos_std(h), vel_std(h));
            let f = |i: usize, j: usize| f64::from(i == j || j == i + 4);
            let mut m = [0.0; 8];
            for i in 0..8 {
                m[i] = (0..8).map(|j| f(i, j) * self.m[j]).sum();
            }
            let mut fp = [[0.0; 8]; 8];
            for i in 0..8 {
                for j in 0..8 {
                    fp[i][j] = (0..8).map(|k| f(i, k) * self.p[k][j]).sum();
                }
            }
            let mut p = [[0.0; 8]; 8];
            for i in 0..8 {
                for j in 0..8 {
                    p[i][j] = (0..8).map(|k| fp[i][k] * f(j, k)).sum();
                }
                let q = if i < 4 { sp[i] } else { sv[i - 4] };
                p[i][i] += q * q;
            }
            (self.m, self.p) = (m, p);
        }

        fn update(&mut self, z: [f64; 4]) {
            let h = self.m[3];
            let r = [STD_POS * h, STD_POS * h, 1e-1, STD_POS * h];
            // S = H P H' + R; K' = S^-1 H P (solve S X = H P, X is 4x8).
            let mut aug = [[0.0; 12]; 4];
            for i in 0..4 {
                for j in 0..4 {
                    aug[i][j] = self.p[i][j] + if i == j { r[i] * r[i] } else { 0.0 };
                }
                for j in 0..8 {
                    aug[i][4 + j] = self.p[i][j];
                }
            }
            for c in 0..4 {
                let piv = aug[c][c];
                for j in 0..12 {
                    aug[c][j] /= piv;
                }
                for i in (0..4).filter(|&i| i != c) {
                    let k = aug[i][c];
                    for j in 0..12 {
                        aug[i][j] -= k * aug[c][j];
                    }
                }
            }
            // K[i][a] = X[a][i]
            let y: Vec<f64> = (0..4).map(|a| z[a] - self.m[a]).collect();
            let old = self.p;
            for i in 0..8 {
                self.m[i] += (0..4).map(|a| aug[a][4 + i] * y[a]).sum::<f64>();
                for j in 0..8 {
                    // P - K H P
                    self.p[i][j] =
                        old[i][j] - (0..4).map(|a| aug[a][4 + i] * old[a][j]).sum::<f64>();
                }
            }
        }
    }

    #[test]
    fn equals_bytetracks_full_8x8_filter() {
        let boxes = |t: f64| {
            let w = 40.0 + 0.3 * t;
            let (cx, cy) = (
                100.0 + 7.0 * t + (t * 1.3).sin() * 3.0,
                200.0 - 2.0 * t + (t * 0.7).cos() * 4.0,
            );
            [cx - w / 2.0, cy - w, cx + w / 2.0, cy + w]
        };
        let mut ours = BoxFilter::new(boxes(0.0));
        let mut full = Full::new(to_xyah(boxes(0.0)));
        for t in 1..60 {
            ours.predict(false);
            full.predict();
            if t % 7 != 0 {
                ours.update(boxes(t as f64));
                full.update(to_xyah(boxes(t as f64)));
            }
            for i in 0..4 {
                assert!(
                    (ours.x[i] - full.m[i]).abs() < 1e-9 * (1.0 + full.m[i].abs()),
                    "t {t} x{i}"
                );
                assert!(
                    (ours.v[i] - full.m[i + 4]).abs() < 1e-9 * (1.0 + full.m[i + 4].abs()),
                    "t {t} v{i}"
                );
                let [a, b, c] = ours.p[i];
                for (got, want) in [
                    (a, full.p[i][i]),
                    (b, full.p[i][i + 4]),
                    (c, full.p[i + 4][i + 4]),
                ] {
                    assert!(
                        (got - want).abs() < 1e-9 * (1.0 + want.abs()),
                        "t {t} P block {i}"
                    );
                }
            }
            // and nothing outside the blocks
            for i in 0..8 {
                for j in (0..8).filter(|&j| j % 4 != i % 4) {
                    assert!(full.p[i][j].abs() < 1e-12, "P[{i}][{j}] = {}", full.p[i][j]);
                }
            }
        }
    }

    #[test]
    fn a_lost_track_keeps_its_height() {
        let mut f = BoxFilter::new([0.0, 0.0, 50.0, 100.0]);
        for t in 1..10 {
            f.predict(false);
            let g = 5.0 * t as f64;
            f.update([0.0, 0.0, 50.0 + g / 2.0, 100.0 + g]);
        }
        let h0 = f.x[3];
        f.predict(true);
        f.predict(true);
        assert!((f.x[3] - h0).abs() < 1e-9);
    }
}
