-- Pages as a worker read them: the text each later step works from.

CREATE TABLE page (
        item_id      bigint      NOT NULL REFERENCES item (id),
        number       integer     NOT NULL CHECK (number >= 0),  -- 1-based; an email body is 0
        source_part  text        NOT NULL,                      -- "file", or the MIME part
        method       text        NOT NULL CHECK (method IN ('text-layer', 'ocr', 'body')),
        text         text        NOT NULL,
        confidence   real,                                       -- mean word confidence 0..100
        rotation     smallint    NOT NULL DEFAULT 0,             -- degrees turned to read it upright
        skew         real,
        width        integer,
        height       integer,
        ms           integer     NOT NULL DEFAULT 0,
        PRIMARY KEY (item_id, number)
);

-- A file read only in part (a page limit, a damaged page) keeps its pages
-- and says why here; last_error is for attempts that failed.
ALTER TABLE item ADD COLUMN read_error text;
ALTER TABLE item ADD COLUMN n_pages integer;
