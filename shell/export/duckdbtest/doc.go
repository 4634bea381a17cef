// Package duckdbtest holds no code: its tests read the Parquet files that
// apiql export writes with DuckDB (github.com/duckdb/duckdb-go, the real
// DuckDB engine linked through cgo), an independent reader that Spark,
// Trino and pyarrow users meet in practice. It is its own package so that
// only its test binary links DuckDB; the export package's own tests read
// the files with Apache Arrow's Go reader.
package duckdbtest
