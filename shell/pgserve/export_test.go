package pgserve

// Float8Text is float8Text, for the tests that compare it with PostgreSQL.
var Float8Text = float8Text
