//! CPU-backend helper: inference threads get a CPU set that leaves some cores
//! (by default one, the last) to the rest of the robot, e.g. its control loop.
//!
//! Give [`CpuPlan::inference_threads`] to ONNX Runtime (`intra_op_num_threads`)
//! or llama.cpp (`n_threads`) and call [`pin_current_thread`] from each
//! inference thread, so the runtime's pool cannot spill onto reserved cores.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CpuSetError {
    #[error("no CPUs available")]
    NoCpus,
    #[error("reserving {reserved} of {available} CPUs leaves none for inference")]
    NothingLeft { available: usize, reserved: usize },
    #[error("CPU {0} is out of range for cpu_set_t")]
    OutOfRange(usize),
    #[error("empty CPU set")]
    Empty,
    #[error("{call} failed: {errno}")]
    Sys { call: &'static str, errno: i32 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuPlan {
    pub inference_cpus: Vec<usize>,
    pub reserved_cpus: Vec<usize>,
}

impl CpuPlan {
    /// One inference thread per CPU in the set: more would only time-slice
    /// against each other on the same cores.
    pub fn inference_threads(&self) -> usize {
        self.inference_cpus.len()
    }
}

/// Splits `cpus` (sorted, as the process may use them) into the inference set
/// and the `reserved` highest-numbered CPUs.
pub fn plan_for(cpus: &[usize], reserved: usize) -> Result<CpuPlan, CpuSetError> {
    let mut cpus = cpus.to_vec();
    cpus.sort_unstable();
    cpus.dedup();
    if cpus.is_empty() {
        return Err(CpuSetError::NoCpus);
    }
    if reserved >= cpus.len() {
        return Err(CpuSetError::NothingLeft { available: cpus.len(), reserved });
    }
    let split = cpus.len() - reserved;
    Ok(CpuPlan { inference_cpus: cpus[..split].to_vec(), reserved_cpus: cpus[split..].to_vec() })
}

/// `nproc`-style plan: CPUs `0..nproc`, reserving the last `reserved`.
pub fn plan_from_count(nproc: usize, reserved: usize) -> Result<CpuPlan, CpuSetError> {
    plan_for(&(0..nproc).collect::<Vec<_>>(), reserved)
}

/// Plan from the CPUs this process may actually run on (respects taskset and
/// cgroup cpusets, which a bare CPU count would not).
pub fn plan_from_system(reserved: usize) -> Result<CpuPlan, CpuSetError> {
    plan_for(&allowed_cpus()?, reserved)
}

/// The calling thread's current affinity.
pub fn allowed_cpus() -> Result<Vec<usize>, CpuSetError> {
    // SAFETY: cpu_set_t is plain data; zeroed is a valid empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: pid 0 = calling thread; the size matches the buffer we pass.
    let rc = unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
    if rc != 0 {
        return Err(CpuSetError::Sys { call: "sched_getaffinity", errno: last_errno() });
    }
    let max = 8 * std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: CPU_ISSET only reads the set; i is below the set's bit size.
    Ok((0..max).filter(|&i| unsafe { libc::CPU_ISSET(i, &set) }).collect())
}

/// Pins the calling thread to `cpus`.
pub fn pin_current_thread(cpus: &[usize]) -> Result<(), CpuSetError> {
    if cpus.is_empty() {
        return Err(CpuSetError::Empty);
    }
    let max = 8 * std::mem::size_of::<libc::cpu_set_t>();
    // SAFETY: zeroed cpu_set_t is a valid empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    for &c in cpus {
        if c >= max {
            return Err(CpuSetError::OutOfRange(c));
        }
        // SAFETY: c is below the set's bit size (checked above).
        unsafe { libc::CPU_SET(c, &mut set) };
    }
    // SAFETY: pid 0 = calling thread; size matches the set.
    let rc = unsafe { libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) };
    if rc != 0 {
        return Err(CpuSetError::Sys { call: "sched_setaffinity", errno: last_errno() });
    }
    Ok(())
}

fn last_errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserves_last_core_by_default_shape() {
        let p = plan_from_count(4, 1).unwrap();
        assert_eq!(p.inference_cpus, vec![0, 1, 2]);
        assert_eq!(p.reserved_cpus, vec![3]);
        assert_eq!(p.inference_threads(), 3);
    }

    #[test]
    fn respects_sparse_sets() {
        let p = plan_for(&[5, 2, 7, 2], 1).unwrap();
        assert_eq!(p.inference_cpus, vec![2, 5]);
        assert_eq!(p.reserved_cpus, vec![7]);
    }

    #[test]
    fn refuses_to_reserve_everything() {
        assert_eq!(plan_from_count(2, 2), Err(CpuSetError::NothingLeft { available: 2, reserved: 2 }));
        assert_eq!(plan_from_count(0, 0), Err(CpuSetError::NoCpus));
        assert_eq!(plan_from_count(1, 0).unwrap().inference_threads(), 1);
    }

    #[test]
    fn pin_roundtrip_on_a_scratch_thread() {
        std::thread::spawn(|| {
            let all = allowed_cpus().unwrap();
            let first = all[0];
            pin_current_thread(&[first]).unwrap();
            assert_eq!(allowed_cpus().unwrap(), vec![first]);
            assert_eq!(pin_current_thread(&[]), Err(CpuSetError::Empty));
            assert_eq!(pin_current_thread(&[1 << 20]), Err(CpuSetError::OutOfRange(1 << 20)));
        })
        .join()
        .unwrap();
    }
}
