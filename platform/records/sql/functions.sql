-- Functions of the record storage, installed in the public schema (shared by every tenant).
-- IMMUTABLE and inlinable SQL, so they work in expression indexes, statistics and queries.

-- "YYYY-MM-DD" -> date (a ::date cast is only STABLE, so it cannot be indexed).
CREATE OR REPLACE FUNCTION public.tessera_date(text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT make_date(substr($1, 1, 4)::int, substr($1, 6, 2)::int, substr($1, 9, 2)::int) $$;

-- "YYYY-MM-DDTHH:MM:SSZ" (UTC) -> timestamptz.
CREATE OR REPLACE FUNCTION public.tessera_timestamptz(text) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT timezone('UTC', make_timestamp(substr($1, 1, 4)::int, substr($1, 6, 2)::int, substr($1, 9, 2)::int,
                                         substr($1, 12, 2)::int, substr($1, 15, 2)::int, substr($1, 18, 2)::float8)) $$;

-- Duplicate matching: case, white space and punctuation ignored ("ACME, Inc." = "acme inc").
CREATE OR REPLACE FUNCTION public.tessera_normalize(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT lower(regexp_replace($1, '[[:space:][:punct:]（）。，、；：“”‘’《》【】—－·]+', '', 'g')) $$;
