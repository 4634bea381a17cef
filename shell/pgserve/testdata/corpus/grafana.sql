-- Grafana postgresMetaQuery getVersion
SELECT current_setting('server_version_num')::int/100 as version
----
-- Grafana getTimescaleDBVersion
SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'
----
-- Grafana showSchemas
SELECT schema_name AS "name"
    FROM information_schema.schemata
    WHERE schema_name NOT IN ('information_schema',
                              'pg_catalog',
                              'pg_toast',
                              '_timescaledb_cache',
                              '_timescaledb_catalog',
                              '_timescaledb_internal',
                              '_timescaledb_config',
                              'timescaledb_information',
                              'timescaledb_experimental')
    ORDER BY schema_name
----
-- Grafana showTables(schema)
SELECT quote_ident(table_name) AS "table"
      FROM information_schema.tables
      WHERE quote_ident(table_schema) = 'digitalocean_images'
      ORDER BY 1
----
-- Grafana showTables()
SELECT
    CASE WHEN 
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )
      THEN quote_ident(table_name)
      ELSE quote_ident(table_schema) || '.' || quote_ident(table_name)
    END AS "table"
    FROM information_schema.tables
    WHERE quote_ident(table_schema) NOT IN ('information_schema',
                             'pg_catalog',
                             '_timescaledb_cache',
                             '_timescaledb_catalog',
                             '_timescaledb_internal',
                             '_timescaledb_config',
                             'timescaledb_information',
                             'timescaledb_experimental')
    ORDER BY CASE WHEN 
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          ) THEN 0 ELSE 1 END, 1
----
-- Grafana getSchema('digitalocean_images.images')
SELECT quote_ident(column_name) AS "column", data_type AS "type"
    FROM information_schema.columns
    WHERE
      CASE WHEN array_length(parse_ident('digitalocean_images.images'),1) = 2
        THEN quote_ident(table_schema) = (parse_ident('digitalocean_images.images'))[1]
          AND quote_ident(table_name) = (parse_ident('digitalocean_images.images'))[2]
        ELSE quote_ident(table_name) = 'digitalocean_images.images'
          AND 
          quote_ident(table_schema) IN (
          SELECT
            CASE WHEN trim(s[i]) = '"$user"' THEN user ELSE trim(s[i]) END
          FROM
            generate_series(
              array_lower(string_to_array(current_setting('search_path'),','),1),
              array_upper(string_to_array(current_setting('search_path'),','),1)
            ) as i,
            string_to_array(current_setting('search_path'),',') s
          )
      END
----
-- Grafana: the health check
SELECT 1
----
-- Grafana: a panel query from the builder
SELECT type, count(*) AS images FROM digitalocean_images.images GROUP BY type ORDER BY images DESC LIMIT 50
----
-- Grafana: a time series panel, after its macros ($__timeGroupAlias(created_at, 1d), $__timeFilter(created_at))
SELECT floor(extract(epoch from created_at)/86400)*86400 AS "time", count(*) AS images FROM digitalocean_images.images WHERE created_at BETWEEN '2016-01-01T00:00:00Z' AND '2030-01-01T00:00:00Z' GROUP BY 1 ORDER BY 1
----
-- Grafana: $__timeEpoch and $__time with date functions
SELECT extract(epoch from created_at) as "time", date_trunc('day', created_at) AS day, extract(year from created_at) AS y, size_gigabytes FROM digitalocean_images.images WHERE created_at < now() ORDER BY 1 LIMIT 10
