//! Ultralytics ONNX `metadata_props` parsing and model validation.
//!
//! Ultralytics writes the metadata values with Python's `str()`: `names` is a dict literal
//! (`{0: 'person', 1: "it's"}`), `imgsz`/`kpt_shape` are list literals, `stride` an int. The parsers
//! below accept exactly that subset of Python literal syntax; anything else is a typed error rather
//! than a guess.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Task {
    Detect,
    Pose,
    /// segment, obb, classify, ... (recognised so the error can name it, not supported here).
    Other(String),
}

impl Task {
    pub fn parse(s: &str) -> Self {
        match s.trim() {
            "detect" => Task::Detect,
            "pose" => Task::Pose,
            other => Task::Other(other.to_string()),
        }
    }
}

impl fmt::Display for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Task::Detect => f.write_str("detect"),
            Task::Pose => f.write_str("pose"),
            Task::Other(s) => f.write_str(s),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MetadataError {
    #[error("metadata key '{key}': cannot parse {value:?}: {reason}")]
    Parse { key: &'static str, value: String, reason: String },
}

/// What the Ultralytics metadata says about a model. Every field is optional because non-Ultralytics
/// exports (or stripped files) lack them; [`validate_model`] decides what is required.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ModelMetadata {
    pub task: Option<Task>,
    /// Class names indexed by class id (gaps in the dict are filled with `class<N>`).
    pub names: Option<Vec<String>>,
    /// `[height, width]` as written by Ultralytics.
    pub imgsz: Option<[u32; 2]>,
    pub stride: Option<u32>,
    pub kpt_shape: Option<[usize; 2]>,
    pub author: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
}

impl ModelMetadata {
    /// Build from a key lookup (e.g. `|k| session.metadata().custom(k)`), so this crate needs no ORT.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, MetadataError> {
        let err = |key: &'static str, value: &str, reason: String| MetadataError::Parse { key, value: value.to_string(), reason };
        let pair = |key: &'static str, v: &str| -> Result<[i64; 2], MetadataError> {
            let l = parse_int_list(v).map_err(|r| err(key, v, r))?;
            match l[..] {
                [a, b] => Ok([a, b]),
                [a] => Ok([a, a]),
                _ => Err(err(key, v, format!("expected 1 or 2 integers, got {}", l.len()))),
            }
        };
        let positive = |key: &'static str, v: &str, x: i64| -> Result<u32, MetadataError> {
            u32::try_from(x).ok().filter(|&x| x > 0).ok_or_else(|| err(key, v, format!("{x} is not a positive size")))
        };
        let mut m = ModelMetadata { task: get("task").map(|t| Task::parse(&t)), ..Default::default() };
        if let Some(v) = get("names") {
            let map = parse_names(&v).map_err(|r| err("names", &v, r))?;
            m.names = Some(names_to_vec(map));
        }
        if let Some(v) = get("imgsz") {
            let [h, w] = pair("imgsz", &v)?;
            m.imgsz = Some([positive("imgsz", &v, h)?, positive("imgsz", &v, w)?]);
        }
        if let Some(v) = get("stride") {
            let s = v.trim().parse::<i64>().map_err(|e| err("stride", &v, e.to_string()))?;
            m.stride = Some(positive("stride", &v, s)?);
        }
        if let Some(v) = get("kpt_shape") {
            let [k, d] = pair("kpt_shape", &v)?;
            m.kpt_shape = Some([positive("kpt_shape", &v, k)? as usize, positive("kpt_shape", &v, d)? as usize]);
        }
        m.author = get("author");
        m.version = get("version");
        m.description = get("description");
        Ok(m)
    }
}

fn names_to_vec(map: BTreeMap<usize, String>) -> Vec<String> {
    let n = map.keys().next_back().map_or(0, |k| k + 1);
    (0..n).map(|i| map.get(&i).cloned().unwrap_or_else(|| format!("class{i}"))).collect()
}

/// Tiny cursor over a Python literal.
struct Lexer<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn new(s: &'a str) -> Self {
        Self { s, pos: 0 }
    }
    fn ws(&mut self) {
        while let Some(c) = self.peek() {
            if !c.is_whitespace() {
                break;
            }
            self.pos += c.len_utf8();
        }
    }
    fn peek(&self) -> Option<char> {
        self.s[self.pos..].chars().next()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }
    fn expect(&mut self, want: char) -> Result<(), String> {
        self.ws();
        match self.bump() {
            Some(c) if c == want => Ok(()),
            Some(c) => Err(format!("expected '{want}' at byte {}, found '{c}'", self.pos - c.len_utf8())),
            None => Err(format!("expected '{want}', found end of input")),
        }
    }
    fn int(&mut self) -> Result<i64, String> {
        self.ws();
        let start = self.pos;
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        self.s[start..self.pos].parse().map_err(|_| format!("expected an integer at byte {start}"))
    }
    /// A Python `str` literal as produced by `repr()`: single or double quoted, backslash escapes.
    fn string(&mut self) -> Result<String, String> {
        self.ws();
        let quote = match self.bump() {
            Some(q @ ('\'' | '"')) => q,
            _ => return Err(format!("expected a quoted string at byte {}", self.pos.saturating_sub(1))),
        };
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err("unterminated string".into()),
                Some(c) if c == quote => return Ok(out),
                Some('\\') => match self.bump() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some('r') => out.push('\r'),
                    Some('0') => out.push('\0'),
                    Some('x') => out.push(self.hex(2)?),
                    Some('u') => out.push(self.hex(4)?),
                    Some('U') => out.push(self.hex(8)?),
                    Some(c @ ('\\' | '\'' | '"')) => out.push(c),
                    Some(c) => {
                        // Python keeps unknown escapes verbatim.
                        out.push('\\');
                        out.push(c);
                    }
                    None => return Err("unterminated escape".into()),
                },
                Some(c) => out.push(c),
            }
        }
    }
    fn hex(&mut self, n: usize) -> Result<char, String> {
        let digits = self.s.get(self.pos..self.pos + n).ok_or("truncated escape")?;
        self.pos += n;
        u32::from_str_radix(digits, 16).ok().and_then(char::from_u32).ok_or_else(|| format!("bad escape \\{digits}"))
    }
    fn end(&mut self) -> Result<(), String> {
        self.ws();
        match self.peek() {
            None => Ok(()),
            Some(c) => Err(format!("unexpected '{c}' after the value at byte {}", self.pos)),
        }
    }
}

/// Parse Ultralytics `names`: a dict literal `{0: 'person', ...}`; a list literal `['person', ...]` is
/// accepted too because older exports and hand-edited files use it.
pub fn parse_names(s: &str) -> Result<BTreeMap<usize, String>, String> {
    let mut lx = Lexer::new(s);
    lx.ws();
    let mut map = BTreeMap::new();
    match lx.peek() {
        Some('{') => {
            lx.bump();
            lx.ws();
            if lx.peek() == Some('}') {
                lx.bump();
            } else {
                loop {
                    let k = lx.int()?;
                    let k = usize::try_from(k).map_err(|_| format!("negative class id {k}"))?;
                    lx.expect(':')?;
                    let v = lx.string()?;
                    if map.insert(k, v).is_some() {
                        return Err(format!("duplicate class id {k}"));
                    }
                    lx.ws();
                    match lx.bump() {
                        Some(',') => {
                            lx.ws();
                            if lx.peek() == Some('}') {
                                lx.bump();
                                break;
                            }
                        }
                        Some('}') => break,
                        _ => return Err("expected ',' or '}' in names dict".into()),
                    }
                }
            }
        }
        Some('[') => {
            lx.bump();
            let mut i = 0;
            loop {
                lx.ws();
                if lx.peek() == Some(']') {
                    lx.bump();
                    break;
                }
                map.insert(i, lx.string()?);
                i += 1;
                lx.ws();
                match lx.peek() {
                    Some(',') => {
                        lx.bump();
                    }
                    Some(']') => {}
                    _ => return Err("expected ',' or ']' in names list".into()),
                }
            }
        }
        _ => return Err("expected a dict '{...}' or list '[...]'".into()),
    }
    lx.end()?;
    if map.len() > 100_000 {
        return Err(format!("{} classes is not plausible", map.len()));
    }
    if map.keys().next_back().is_some_and(|&k| k > 100_000) {
        return Err("class id above 100000 is not plausible".into());
    }
    Ok(map)
}

/// Parse `[640, 640]`, `(17, 3)` or a bare `640`.
pub fn parse_int_list(s: &str) -> Result<Vec<i64>, String> {
    let mut lx = Lexer::new(s);
    lx.ws();
    let close = match lx.peek() {
        Some('[') => ']',
        Some('(') => ')',
        _ => {
            let v = lx.int()?;
            lx.end()?;
            return Ok(vec![v]);
        }
    };
    lx.bump();
    let mut out = Vec::new();
    loop {
        lx.ws();
        if lx.peek() == Some(close) {
            lx.bump();
            break;
        }
        out.push(lx.int()?);
        lx.ws();
        match lx.peek() {
            Some(',') => {
                lx.bump();
            }
            Some(c) if c == close => {}
            _ => return Err(format!("expected ',' or '{close}'")),
        }
    }
    lx.end()?;
    Ok(out)
}

/// Largest model input side accepted by [`validate_model`].
pub const MAX_INPUT_SIDE: u32 = 8192;

/// A model that passed validation: everything the pre/post-processing needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    pub path: PathBuf,
    pub task: Task,
    pub input_w: u32,
    pub input_h: u32,
    pub names: Vec<String>,
    /// `Some` for pose models.
    pub kpt_shape: Option<[usize; 2]>,
    /// Output channel count (`4 + nc` for detect, `4 + nc + K*D` for pose).
    pub output_channels: usize,
    pub metadata: ModelMetadata,
}

impl ModelSpec {
    pub fn num_classes(&self) -> usize {
        self.names.len()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ModelError {
    #[error("model '{path}': {source}")]
    Metadata { path: PathBuf, source: MetadataError },
    #[error("model '{path}': expected an Ultralytics {expected} model with {expected_output}; got {got}")]
    Mismatch { path: PathBuf, expected: Task, expected_output: String, got: String },
}

fn fmt_shape(s: &[i64]) -> String {
    let parts: Vec<String> = s.iter().map(|d| if *d < 0 { "N".into() } else { d.to_string() }).collect();
    format!("[{}]", parts.join(", "))
}

/// Check that a loaded model is an Ultralytics `expected` model whose single input is `[1, 3, H, W]`
/// and single output is `[1, C, N]` consistent with its metadata. Dynamic dims are `-1`.
///
/// Errors name the file and say what was expected and what was found, because the usual cause is a
/// wrong path in a launch file.
pub fn validate_model(
    path: &Path,
    expected: Task,
    meta: &ModelMetadata,
    input_shapes: &[Vec<i64>],
    output_shapes: &[Vec<i64>],
) -> Result<ModelSpec, ModelError> {
    let task = meta.task.clone();
    let kpt = if expected == Task::Pose { Some(meta.kpt_shape.unwrap_or([17, 3])) } else { None };
    let nc = meta.names.as_ref().map(Vec::len);
    let expected_channels = nc.map(|nc| 4 + nc + kpt.map_or(0, |[k, d]| k * d));
    // Only quote an exact channel count when the metadata is for the right task; for a wrong-task file
    // its `names` say nothing about what the caller wanted.
    let expected_output = match (&expected, expected_channels) {
        (e, Some(c)) if task.as_ref() == Some(e) => format!("output [1, {c}, N]"),
        (Task::Pose, _) => "output [1, 4+nc+K*D, N] (COCO keypoints: [1, 56, N])".to_string(),
        _ => "output [1, 4+nc, N] (COCO: [1, 84, N])".to_string(),
    };
    let got_desc = || {
        let t = task.as_ref().map_or_else(|| "no task metadata".to_string(), |t| format!("task '{t}'"));
        let outs: Vec<String> = output_shapes.iter().map(|s| fmt_shape(s)).collect();
        let ins: Vec<String> = input_shapes.iter().map(|s| fmt_shape(s)).collect();
        format!("{t} input {} output {}", ins.join(" + "), outs.join(" + "))
    };
    let mismatch = |why: &str| ModelError::Mismatch {
        path: path.to_path_buf(),
        expected: expected.clone(),
        expected_output: expected_output.clone(),
        got: if why.is_empty() { got_desc() } else { format!("{} ({why})", got_desc()) },
    };

    if task.as_ref() != Some(&expected) {
        return Err(mismatch(""));
    }
    let Some(names) = meta.names.clone() else { return Err(mismatch("no 'names' metadata")) };
    if names.is_empty() {
        return Err(mismatch("'names' is empty"));
    }
    let [input] = input_shapes else { return Err(mismatch("expected exactly one input")) };
    let [output] = output_shapes else { return Err(mismatch("expected exactly one output")) };
    let channels = expected_channels.unwrap_or(0);

    if input.len() != 4 || !(input[0] == 1 || input[0] < 0) || !(input[1] == 3 || input[1] < 0) {
        return Err(mismatch("input is not [1, 3, H, W]"));
    }
    // Static model dims win; dynamic ones fall back to the exported imgsz.
    let (mh, mw) = meta.imgsz.map_or((None, None), |[h, w]| (Some(h), Some(w)));
    let dim = |d: i64, fallback: Option<u32>| if d > 0 { u32::try_from(d).ok() } else { fallback };
    let (Some(input_h), Some(input_w)) = (dim(input[2], mh), dim(input[3], mw)) else {
        return Err(mismatch("input size is dynamic and there is no 'imgsz' metadata"));
    };
    // Bounds the tensor we allocate per frame; a corrupt or hostile file must not make us try 100k².
    if input_w > MAX_INPUT_SIDE || input_h > MAX_INPUT_SIDE {
        return Err(mismatch(&format!("input {input_w}x{input_h} exceeds {MAX_INPUT_SIDE} pixels per side")));
    }
    if let (Some(h), Some(w)) = (mh, mw) {
        if (input[2] > 0 && h != input_h) || (input[3] > 0 && w != input_w) {
            return Err(mismatch("'imgsz' metadata disagrees with the input shape"));
        }
    }
    if output.len() != 3 || !(output[0] == 1 || output[0] < 0) || !(output[1] == channels as i64 || output[1] < 0) {
        return Err(mismatch(""));
    }
    Ok(ModelSpec {
        path: path.to_path_buf(),
        task: expected,
        input_w,
        input_h,
        names,
        kpt_shape: kpt,
        output_channels: channels,
        metadata: meta.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn names_dict_with_awkward_strings() {
        let s = r#"{0: 'person', 1: 'traffic light', 2: "it's", 3: 'say "hi"', 4: 'both \' and "', 5: 'back\\slash', 6: 'caf\xe9', 7: 'ü'}"#;
        let m = parse_names(s).unwrap();
        assert_eq!(m[&0], "person");
        assert_eq!(m[&1], "traffic light");
        assert_eq!(m[&2], "it's");
        assert_eq!(m[&3], "say \"hi\"");
        assert_eq!(m[&4], "both ' and \"");
        assert_eq!(m[&5], "back\\slash");
        assert_eq!(m[&6], "café");
        assert_eq!(m[&7], "ü");
    }

    #[test]
    fn names_python_repr_round_trip_coco_excerpt() {
        // Verbatim shape of an Ultralytics export (whitespace, trailing entries).
        let s = "{0: 'person', 1: 'bicycle', 79: 'toothbrush'}";
        let v = names_to_vec(parse_names(s).unwrap());
        assert_eq!(v.len(), 80);
        assert_eq!(v[1], "bicycle");
        assert_eq!(v[2], "class2");
        assert_eq!(v[79], "toothbrush");
    }

    #[test]
    fn names_list_and_edge_cases() {
        assert_eq!(parse_names("['a', \"b\",]").unwrap().len(), 2);
        assert_eq!(parse_names("{}").unwrap().len(), 0);
        assert_eq!(parse_names(" {0: 'a',} ").unwrap()[&0], "a");
        for bad in ["", "{0: person}", "{0: 'a'", "{0 'a'}", "{-1: 'a'}", "{0: 'a', 0: 'b'}", "{0: 'a'} x", "{0: 'unterminated}", "{99999999999: 'a'}"] {
            assert!(parse_names(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn int_lists() {
        assert_eq!(parse_int_list("[640, 640]").unwrap(), vec![640, 640]);
        assert_eq!(parse_int_list("(17, 3)").unwrap(), vec![17, 3]);
        assert_eq!(parse_int_list(" 32 ").unwrap(), vec![32]);
        assert!(parse_int_list("[640, x]").is_err());
        assert!(parse_int_list("[640").is_err());
    }

    fn props(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| m.get(k).cloned()
    }

    fn coco_names() -> String {
        let v: Vec<String> = (0..80).map(|i| format!("{i}: 'c{i}'")).collect();
        format!("{{{}}}", v.join(", "))
    }

    #[test]
    fn metadata_from_lookup() {
        let names = coco_names();
        let m = ModelMetadata::from_lookup(props(&[
            ("task", "pose"),
            ("names", "{0: 'person'}"),
            ("imgsz", "[480, 640]"),
            ("stride", "32"),
            ("kpt_shape", "[17, 3]"),
        ]))
        .unwrap();
        assert_eq!(m.task, Some(Task::Pose));
        assert_eq!(m.imgsz, Some([480, 640]));
        assert_eq!(m.kpt_shape, Some([17, 3]));
        assert_eq!(m.stride, Some(32));
        let e = ModelMetadata::from_lookup(props(&[("imgsz", "[0, 640]")])).unwrap_err();
        assert!(e.to_string().contains("imgsz"), "{e}");
        assert!(ModelMetadata::from_lookup(props(&[("names", &names[..20])])).is_err());
        assert_eq!(ModelMetadata::from_lookup(props(&[])).unwrap(), ModelMetadata::default());
    }

    #[test]
    fn validate_detect_and_pose() {
        let names = coco_names();
        let det = ModelMetadata::from_lookup(props(&[("task", "detect"), ("names", &names), ("imgsz", "[640, 640]")])).unwrap();
        let p = Path::new("/models/yolov8n.onnx");
        let spec = validate_model(p, Task::Detect, &det, &[vec![1, 3, 640, 640]], &[vec![1, 84, 8400]]).unwrap();
        assert_eq!((spec.input_w, spec.input_h, spec.num_classes(), spec.output_channels), (640, 640, 80, 84));
        // dynamic dims fall back to imgsz
        let spec = validate_model(p, Task::Detect, &det, &[vec![-1, 3, -1, -1]], &[vec![-1, 84, -1]]).unwrap();
        assert_eq!((spec.input_w, spec.input_h), (640, 640));

        let pose = ModelMetadata::from_lookup(props(&[("task", "pose"), ("names", "{0: 'person'}"), ("kpt_shape", "[17, 3]"), ("imgsz", "[640, 640]")])).unwrap();
        let pp = Path::new("/models/yolo11n-pose.onnx");
        let spec = validate_model(pp, Task::Pose, &pose, &[vec![1, 3, 640, 640]], &[vec![1, 56, 8400]]).unwrap();
        assert_eq!(spec.kpt_shape, Some([17, 3]));

        // The wrong model for the job: the message names the file, what was expected, and what it is.
        let e = validate_model(pp, Task::Detect, &pose, &[vec![1, 3, 640, 640]], &[vec![1, 56, 8400]]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "model '/models/yolo11n-pose.onnx': expected an Ultralytics detect model with output [1, 4+nc, N] (COCO: [1, 84, N]); got task 'pose' input [1, 3, 640, 640] output [1, 56, 8400]"
        );
        let e = validate_model(p, Task::Pose, &det, &[vec![1, 3, 640, 640]], &[vec![1, 84, 8400]]).unwrap_err();
        assert!(e.to_string().contains("expected an Ultralytics pose model with output [1, 4+nc+K*D, N] (COCO keypoints: [1, 56, N]); got task 'detect'"), "{e}");
        // Metadata says detect but the output does not match the names.
        let e = validate_model(p, Task::Detect, &det, &[vec![1, 3, 640, 640]], &[vec![1, 85, 8400]]).unwrap_err();
        assert!(e.to_string().contains("output [1, 84, N]; got task 'detect' input [1, 3, 640, 640] output [1, 85, 8400]"), "{e}");
        // Non-Ultralytics model: no metadata at all.
        let e = validate_model(p, Task::Detect, &ModelMetadata::default(), &[vec![1, 3, 224, 224]], &[vec![1, 1000]]).unwrap_err();
        assert!(e.to_string().contains("got no task metadata input [1, 3, 224, 224] output [1, 1000]"), "{e}");
        let e = validate_model(p, Task::Detect, &det, &[vec![1, 3, -1, -1]], &[vec![1, 84, -1]]);
        assert!(e.is_ok());
        let huge = ModelMetadata { imgsz: Some([100_000, 100_000]), ..det.clone() };
        let e = validate_model(p, Task::Detect, &huge, &[vec![1, 3, -1, -1]], &[vec![1, 84, -1]]).unwrap_err();
        assert!(e.to_string().contains("exceeds 8192"), "{e}");
        // imgsz disagreeing with a static input.
        let e = validate_model(p, Task::Detect, &det, &[vec![1, 3, 320, 320]], &[vec![1, 84, 2100]]).unwrap_err();
        assert!(e.to_string().contains("disagrees"), "{e}");
    }
}
