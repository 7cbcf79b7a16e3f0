//! Decodes a Sheets `values:batchGet` answer straight into [`RowSink`]s, one row at a time,
//! skipping the cells no sink wants: the whole answer as `serde_json::Value` cells would take
//! several times its JSON size (the columns of docs/rules.md §2 are a few of a form's many).

use std::fmt;

use google_sheets4::hyper::body::Bytes;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::core::sheet::{RowSink, SKIPPED};

/// Feeds `valueRanges[i].values` to `sinks[i]`; ranges beyond the sinks are ignored.
pub fn decode(body: &[u8], sinks: &mut [&mut dyn RowSink]) -> Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(body);
    Answer(sinks).deserialize(&mut de)?;
    de.end()
}

/// [`decode`] from a reader, e.g. a body arriving in chunks ([`ChunkReader`]).
pub fn decode_reader(
    reader: impl std::io::Read,
    sinks: &mut [&mut dyn RowSink],
) -> Result<(), serde_json::Error> {
    let reader = std::io::BufReader::with_capacity(64 * 1024, reader);
    let mut de = serde_json::Deserializer::from_reader(reader);
    Answer(sinks).deserialize(&mut de)?;
    de.end()
}

/// Reads the chunks of a body as they arrive from an async task (blocking: call it from
/// `block_in_place`). An `Err` chunk is the transfer's failure; the end of the channel, the
/// end of the body.
pub struct ChunkReader {
    rx: tokio::sync::mpsc::Receiver<Result<Bytes, String>>,
    chunk: Bytes,
}

impl ChunkReader {
    pub fn new(rx: tokio::sync::mpsc::Receiver<Result<Bytes, String>>) -> Self {
        ChunkReader {
            rx,
            chunk: Bytes::new(),
        }
    }
}

impl std::io::Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.chunk.is_empty() {
            match self.rx.blocking_recv() {
                None => return Ok(0),
                Some(Err(e)) => return Err(std::io::Error::other(e)),
                Some(Ok(chunk)) => self.chunk = chunk,
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

struct Answer<'s, 'k>(&'s mut [&'k mut dyn RowSink]);

impl<'de> DeserializeSeed<'de> for Answer<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Answer<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a BatchGetValuesResponse object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "valueRanges" {
                map.next_value_seed(Ranges(&mut *self.0))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct Ranges<'s, 'k>(&'s mut [&'k mut dyn RowSink]);

impl<'de> DeserializeSeed<'de> for Ranges<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Ranges<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of value ranges")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        for sink in self.0.iter_mut() {
            if seq.next_element_seed(Range(&mut **sink))?.is_none() {
                return Ok(());
            }
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

struct Range<'s>(&'s mut dyn RowSink);

impl<'de> DeserializeSeed<'de> for Range<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Range<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a ValueRange object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "values" => map.next_value_seed(Rows(&mut *self.0))?,
                "majorDimension" => {
                    let dimension: String = map.next_value()?;
                    if dimension != "ROWS" {
                        return Err(de::Error::custom(format!(
                            "majorDimension {dimension}, asked for ROWS"
                        )));
                    }
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct Rows<'s>(&'s mut dyn RowSink);

impl<'de> DeserializeSeed<'de> for Rows<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Rows<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("rows of cells")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // One buffer for every row: only the wanted cells' own text is allocated.
        let mut cells = Vec::new();
        while seq
            .next_element_seed(Row {
                sink: &mut *self.0,
                cells: &mut cells,
            })?
            .is_some()
        {}
        Ok(())
    }
}

struct Row<'s, 'c> {
    sink: &'s mut dyn RowSink,
    cells: &'c mut Vec<Value>,
}

impl<'de> DeserializeSeed<'de> for Row<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for Row<'_, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a row of cells")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.cells.clear();
        loop {
            let col = self.cells.len();
            let cell = if self.sink.wants(col) {
                seq.next_element::<Value>()?
            } else {
                seq.next_element::<Blank>()?
                    .map(|Blank(blank)| if blank { Value::Null } else { SKIPPED })
            };
            match cell {
                Some(cell) => self.cells.push(cell),
                None => break,
            }
        }
        self.sink.row(self.cells);
        Ok(())
    }
}

/// Whether a skipped cell is blank, read without allocating.
struct Blank(bool);

impl<'de> de::Deserialize<'de> for Blank {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BlankVisitor)
    }
}

struct BlankVisitor;

impl<'de> Visitor<'de> for BlankVisitor {
    type Value = Blank;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a cell")
    }
    fn visit_str<E>(self, v: &str) -> Result<Blank, E> {
        Ok(Blank(v.trim().is_empty()))
    }
    fn visit_unit<E>(self) -> Result<Blank, E> {
        Ok(Blank(true))
    }
    fn visit_none<E>(self) -> Result<Blank, E> {
        Ok(Blank(true))
    }
    fn visit_bool<E>(self, _: bool) -> Result<Blank, E> {
        Ok(Blank(false))
    }
    fn visit_i64<E>(self, _: i64) -> Result<Blank, E> {
        Ok(Blank(false))
    }
    fn visit_u64<E>(self, _: u64) -> Result<Blank, E> {
        Ok(Blank(false))
    }
    fn visit_f64<E>(self, _: f64) -> Result<Blank, E> {
        Ok(Blank(false))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Blank, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Blank(false))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Blank, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Blank(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keeps even columns only, recording what it got.
    #[derive(Default)]
    struct Even(Vec<Vec<Value>>);

    impl RowSink for Even {
        fn wants(&self, col: usize) -> bool {
            col.is_multiple_of(2)
        }
        fn row(&mut self, cells: &[Value]) {
            self.0.push(cells.to_vec());
        }
    }

    #[test]
    fn rows_reach_their_sinks_with_unwanted_cells_skipped() {
        let body = br#"{"spreadsheetId":"x","valueRanges":[
            {"range":"a!A1:C3","majorDimension":"ROWS","values":[["h","x\u0020","z"],[],[1,"  ",2,{"a":[1]}]]},
            {"range":"b!A1","majorDimension":"ROWS"},
            {"range":"c!A1","values":[["ignored"]]}]}"#;
        let (mut a, mut b) = (Even::default(), Even::default());
        decode(body, &mut [&mut a, &mut b]).unwrap();
        assert_eq!(
            a.0,
            vec![
                vec![Value::from("h"), SKIPPED, Value::from("z")],
                vec![],
                vec![Value::from(1), Value::Null, Value::from(2), SKIPPED],
            ]
        );
        assert!(b.0.is_empty());
    }

    #[test]
    fn a_body_in_chunks_decodes_like_a_whole_one_and_a_broken_one_fails() {
        let body: &[u8] = br#"{"valueRanges":[{"values":[["h","x"],[1,2,"\u3042"]]}]}"#;
        let chunks = |fail: bool| {
            let (tx, rx) = tokio::sync::mpsc::channel(64);
            for piece in body.chunks(5) {
                tx.try_send(Ok(Bytes::copy_from_slice(piece))).unwrap();
            }
            if fail {
                tx.try_send(Err("connection reset".to_string())).unwrap();
            }
            ChunkReader::new(rx)
        };
        let (mut whole, mut streamed) = (Even::default(), Even::default());
        decode(body, &mut [&mut whole]).unwrap();
        decode_reader(chunks(false), &mut [&mut streamed]).unwrap();
        assert_eq!(whole.0, streamed.0);
        assert_eq!(
            streamed.0[1],
            vec![Value::from(1), SKIPPED, Value::from("あ")]
        );
        let err = decode_reader(chunks(true), &mut [&mut Even::default()]).unwrap_err();
        assert!(err.is_io(), "{err}");
    }

    #[test]
    fn malformed_answers_are_errors_not_panics() {
        for body in [
            &b"{"[..],
            b"[]",
            br#"{"valueRanges":[{"values":[1]}]}"#,
            br#"{"valueRanges":[{"majorDimension":"COLUMNS"}]}"#,
        ] {
            assert!(decode(body, &mut [&mut Even::default()]).is_err());
        }
    }
}
