"""The Whoosh schema: what each stored document holds (see indexer/whoosh_backend.py).

  id           the document id (unique: adding an id again replaces the document)
  words        rjieba words of the body, with frequencies: BM25F (counted in the workers)
  title_words  rjieba words of the title: BM25F with a title boost
  m            column: normalised title, body and paragraph offsets (text index, passages)
  f            column: small JSON of facet, sort and report-part values
  mh           column: MinHash signature (near-duplicates)
  doc          stored: the whole Document as deflated JSON
"""

from __future__ import annotations

from typing import Any

from whoosh import analysis as wanalysis
from whoosh import columns, fields, formats


class WordsField(fields.FieldType):
    """A word-frequency field whose value may arrive already counted and encoded.

    The analysis workers segment and count the words; handing Whoosh the finished
    ``(term bytes, frequency, weight, encoded frequency)`` tuples spares the single writer
    process re-tokenising a joined string. A plain string is still accepted.
    """

    def __init__(self) -> None:
        super().__init__(formats.Frequency(), wanalysis.SpaceSeparatedTokenizer(), scorable=True)

    def index(self, value: Any, **kwargs: Any) -> Any:
        if isinstance(value, list):
            return value
        return super().index(value, **kwargs)


def make_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        words=WordsField(),
        title_words=WordsField(),
        m=fields.COLUMN(columns.VarBytesColumn()),
        f=fields.COLUMN(columns.VarBytesColumn()),
        mh=fields.COLUMN(columns.VarBytesColumn()),
        doc=fields.STORED(),
    )
