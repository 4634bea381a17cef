// ApiqlJdbc drives apiql serve with pgjdbc, the driver of DBeaver, Metabase
// and most BI tools: the DatabaseMetaData calls those tools make on connect
// and when browsing, prepared statements with parameters before and after
// pgjdbc switches them to server-side prepare (prepareThreshold), the result
// set's column types, and errors with their SQLSTATE. It prints one line per
// check ("ok <name> <detail>") and exits 1 at the first failure
// ("FAIL <name>: <why>"). Usage: java -cp postgresql.jar:DIR ApiqlJdbc URL PASSWORD
import java.sql.*;
import java.util.*;

public class ApiqlJdbc {
    static void fail(String name, String why) {
        System.out.println("FAIL " + name + ": " + why);
        System.exit(1);
    }

    static void ok(String name, String detail) {
        System.out.println("ok " + name + " " + detail);
    }

    // rows reads every row of rs, column col as a string.
    static List<String> rows(ResultSet rs, String col) throws SQLException {
        List<String> out = new ArrayList<>();
        while (rs.next()) out.add(rs.getString(col));
        rs.close();
        return out;
    }

    interface Check { void run() throws Exception; }

    static void check(String name, Check c) {
        try {
            c.run();
        } catch (Exception e) {
            String state = e instanceof SQLException ? " (SQLSTATE " + ((SQLException) e).getSQLState() + ")" : "";
            fail(name, e.getClass().getSimpleName() + ": " + e.getMessage() + state);
        }
    }

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", "apiql");
        p.setProperty("password", args[1]);
        p.setProperty("sslmode", "disable");
        p.setProperty("prepareThreshold", "5");
        p.setProperty("ApplicationName", "DBeaver 23.0.0 - Main");
        Connection c = DriverManager.getConnection(args[0], p);
        DatabaseMetaData md = c.getMetaData();

        check("metadata", () -> {
            ok("metadata", md.getDatabaseProductName() + " " + md.getDatabaseProductVersion()
                + " major=" + md.getDatabaseMajorVersion() + " minor=" + md.getDatabaseMinorVersion());
            if (!md.getDatabaseProductName().equals("PostgreSQL")) fail("metadata", "product " + md.getDatabaseProductName());
            String user = md.getUserName();
            if (!"apiql".equals(user)) fail("metadata", "user " + user);
            if (c.getCatalog() == null) fail("metadata", "no catalog");
            ok("catalog", c.getCatalog() + " schema=" + c.getSchema());
        });

        check("getCatalogs", () -> {
            List<String> cats = rows(md.getCatalogs(), "TABLE_CAT");
            if (!cats.contains("apiql")) fail("getCatalogs", "no apiql in " + cats);
            ok("getCatalogs", cats.toString());
        });

        check("getSchemas", () -> {
            List<String> s = rows(md.getSchemas(), "TABLE_SCHEM");
            if (!s.contains("digitalocean_images") || !s.contains("digitalocean_regions")) fail("getSchemas", s.toString());
            List<String> f = rows(md.getSchemas(null, "digitalocean_im%"), "TABLE_SCHEM");
            if (!f.equals(List.of("digitalocean_images"))) fail("getSchemas", "pattern: " + f);
            ok("getSchemas", s.size() + " schemas");
        });

        check("getTableTypes", () -> {
            List<String> t = rows(md.getTableTypes(), "TABLE_TYPE");
            if (!t.contains("TABLE")) fail("getTableTypes", t.toString());
            ok("getTableTypes", t.size() + " types");
        });

        check("getTables", () -> {
            List<String> t = rows(md.getTables(null, "digitalocean_images", "%", new String[]{"TABLE", "VIEW"}), "TABLE_NAME");
            if (!t.contains("images")) fail("getTables", "no images in " + t);
            List<String> all = rows(md.getTables(null, null, "%", null), "TABLE_NAME");
            if (!all.contains("regions")) fail("getTables", "all tables lack regions");
            ok("getTables", t.toString() + " all=" + all.size());
        });

        check("getColumns", () -> {
            ResultSet rs = md.getColumns(null, "digitalocean_images", "images", "%");
            Map<String, String> types = new LinkedHashMap<>();
            while (rs.next()) types.put(rs.getString("COLUMN_NAME"), rs.getString("TYPE_NAME") + "/" + rs.getInt("DATA_TYPE"));
            rs.close();
            String id = types.get("id"), name = types.get("name"), size = types.get("size_gigabytes"), pub = types.get("public");
            if (id == null || !id.startsWith("int8/")) fail("getColumns", "id " + id + " in " + types);
            if (name == null || !name.startsWith("text/")) fail("getColumns", "name " + name);
            if (size == null || !size.startsWith("float8/")) fail("getColumns", "size_gigabytes " + size);
            if (pub == null || !pub.startsWith("bool/")) fail("getColumns", "public " + pub);
            ok("getColumns", "id=" + id + " name=" + name + " size_gigabytes=" + size + " public=" + pub + " (" + types.size() + " columns)");
        });

        check("getPrimaryKeys", () -> {
            List<String> k = rows(md.getPrimaryKeys(null, "digitalocean_images", "images"), "COLUMN_NAME");
            ok("getPrimaryKeys", k.toString());
        });
        check("getIndexInfo", () -> {
            List<String> k = rows(md.getIndexInfo(null, "digitalocean_images", "images", false, true), "INDEX_NAME");
            ok("getIndexInfo", k.toString());
        });
        check("getImportedKeys", () -> {
            List<String> k = rows(md.getImportedKeys(null, "digitalocean_images", "images"), "FKCOLUMN_NAME");
            ok("getImportedKeys", k.toString());
        });
        check("getExportedKeys", () -> {
            List<String> k = rows(md.getExportedKeys(null, "digitalocean_images", "images"), "FKCOLUMN_NAME");
            ok("getExportedKeys", k.toString());
        });
        check("getTypeInfo", () -> {
            List<String> t = rows(md.getTypeInfo(), "TYPE_NAME");
            for (String want : new String[]{"int8", "text", "bool", "float8", "json"})
                if (!t.contains(want)) fail("getTypeInfo", "no " + want + " in " + t);
            ok("getTypeInfo", t.size() + " types");
        });
        check("getFunctions", () -> {
            List<String> f = rows(md.getFunctions(null, null, "%"), "FUNCTION_NAME");
            ok("getFunctions", f.size() + " functions");
        });
        check("getProcedures", () -> {
            List<String> f = rows(md.getProcedures(null, null, "%"), "PROCEDURE_NAME");
            ok("getProcedures", f.size() + " procedures");
        });
        check("getTablePrivileges", () -> {
            List<String> f = rows(md.getTablePrivileges(null, "digitalocean_images", "images"), "PRIVILEGE");
            ok("getTablePrivileges", f.toString());
        });
        check("getUDTs", () -> {
            rows(md.getUDTs(null, null, "%", null), "TYPE_NAME");
            ok("getUDTs", "");
        });

        check("statement", () -> {
            Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT count(*) FROM digitalocean_images.images");
            if (!rs.next()) fail("statement", "no row");
            long n = rs.getLong(1);
            ResultSetMetaData m = rs.getMetaData();
            ok("statement", "count=" + n + " label=" + m.getColumnLabel(1) + " type=" + m.getColumnTypeName(1));
            if (n <= 0) fail("statement", "count " + n);
            rs.close();
            st.close();
        });

        check("resultSetMetaData", () -> {
            Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT id, name, size_gigabytes, public, regions FROM digitalocean_images.images ORDER BY id LIMIT 3");
            ResultSetMetaData m = rs.getMetaData();
            String[] want = {"int8", "text", "float8", "bool", "json"};
            int[] jdbc = {Types.BIGINT, Types.VARCHAR, Types.DOUBLE, Types.BIT, Types.OTHER};
            for (int i = 1; i <= 5; i++) {
                if (!m.getColumnTypeName(i).equals(want[i - 1])) fail("resultSetMetaData", m.getColumnName(i) + " is " + m.getColumnTypeName(i));
                if (m.getColumnType(i) != jdbc[i - 1]) fail("resultSetMetaData", m.getColumnName(i) + " jdbc type " + m.getColumnType(i));
            }
            // pgjdbc asks the catalog which table and column each result column comes from.
            // (getSchemaName is always "" in pgjdbc; getBaseSchemaName reads it.)
            String table = m.getTableName(1), schema = ((org.postgresql.PGResultSetMetaData) m).getBaseSchemaName(1);
            int rows = 0;
            while (rs.next()) {
                rs.getLong(1); rs.getString(2); rs.getDouble(3); rs.getBoolean(4); rs.getString(5);
                rows++;
            }
            if (rows != 3) fail("resultSetMetaData", rows + " rows");
            if (!table.equals("images") || !schema.equals("digitalocean_images")) fail("resultSetMetaData", "table " + schema + "." + table);
            ok("resultSetMetaData", "table=" + schema + "." + table + " nullable=" + m.isNullable(1));
        });

        check("prepared", () -> {
            PreparedStatement ps = c.prepareStatement("SELECT id, name FROM digitalocean_images.images WHERE type = ? AND min_disk_size >= ? ORDER BY id");
            int first = -1;
            // Ten runs: pgjdbc switches to a named server-side statement at the fifth.
            for (int i = 0; i < 10; i++) {
                ps.setString(1, i % 2 == 0 ? "snapshot" : "backup");
                ps.setInt(2, 0);
                ResultSet rs = ps.executeQuery();
                int n = 0;
                while (rs.next()) { rs.getLong("id"); rs.getString("name"); n++; }
                rs.close();
                if (i == 0) first = n;
                if (i % 2 == 0 && n != first) fail("prepared", "run " + i + " got " + n + " rows, first run " + first);
            }
            ok("prepared", "10 runs, " + first + " snapshots");
            ps.close();
        });

        check("preparedTypes", () -> {
            PreparedStatement ps = c.prepareStatement("SELECT count(*) AS n FROM digitalocean_images.images WHERE public = ? AND id > ? AND name <> ?");
            for (int i = 0; i < 7; i++) {
                ps.setBoolean(1, false);
                ps.setLong(2, 0L);
                ps.setString(3, "x");
                ResultSet rs = ps.executeQuery();
                if (!rs.next()) fail("preparedTypes", "no row");
                rs.getLong("n");
                rs.close();
            }
            ps.close();
            ok("preparedTypes", "");
        });

        check("preparedMetaData", () -> {
            PreparedStatement ps = c.prepareStatement("SELECT slug, available FROM digitalocean_regions.regions WHERE slug = ?");
            ResultSetMetaData m = ps.getMetaData();
            if (m == null || m.getColumnCount() != 2) fail("preparedMetaData", "columns " + (m == null ? "null" : m.getColumnCount()));
            ParameterMetaData pm = ps.getParameterMetaData();
            ok("preparedMetaData", m.getColumnTypeName(1) + "," + m.getColumnTypeName(2) + " params=" + pm.getParameterCount());
            ps.close();
        });

        check("error", () -> {
            Statement st = c.createStatement();
            try {
                st.executeQuery("SELECT nmae FROM digitalocean_images.images");
                fail("error", "no error");
            } catch (SQLException e) {
                if (e.getSQLState() == null || e.getSQLState().length() != 5) fail("error", "SQLSTATE " + e.getSQLState());
                if (!e.getMessage().contains("nmae")) fail("error", e.getMessage());
                ok("error", e.getSQLState());
            }
            // The connection is still usable after an error.
            ResultSet rs = st.executeQuery("SELECT 1");
            rs.next();
            if (rs.getInt(1) != 1) fail("error", "after error");
        });

        check("transaction", () -> {
            c.setAutoCommit(false);
            Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT slug FROM digitalocean_regions.regions ORDER BY slug LIMIT 2");
            int n = 0;
            while (rs.next()) n++;
            c.commit();
            c.setAutoCommit(true);
            if (n != 2) fail("transaction", n + " rows");
            ok("transaction", "");
        });

        check("fetchSize", () -> {
            // Metabase and DBeaver set a fetch size: pgjdbc then executes with a row limit
            // inside a transaction and fetches the rest by portal.
            c.setAutoCommit(false);
            Statement st = c.createStatement();
            st.setFetchSize(7);
            ResultSet rs = st.executeQuery("SELECT id FROM digitalocean_images.images ORDER BY id");
            int n = 0;
            while (rs.next()) n++;
            c.commit();
            c.setAutoCommit(true);
            ok("fetchSize", n + " rows");
            if (n <= 7) fail("fetchSize", n + " rows");
        });

        check("fetchSizeSecondQuery", () -> {
            // A second query while a result fetched by portal is open: pgjdbc
            // parses the unnamed statement again, which must leave the
            // first result's portal open.
            c.setAutoCommit(false);
            Statement st = c.createStatement();
            st.setFetchSize(7);
            ResultSet rs = st.executeQuery("SELECT id FROM digitalocean_images.images ORDER BY id");
            int n = 0, counts = 0;
            while (rs.next()) {
                n++;
                if (n % 20 == 1) {
                    ResultSet rc = c.createStatement().executeQuery("SELECT count(*) FROM digitalocean_images.images");
                    rc.next();
                    counts += rc.getInt(1);
                }
            }
            c.commit();
            c.setAutoCommit(true);
            ok("fetchSizeSecondQuery", n + " rows, counts " + counts);
        });

        check("settings", () -> {
            Statement st = c.createStatement();
            st.execute("SET application_name = 'Metabase'");
            ResultSet rs = st.executeQuery("SHOW TRANSACTION ISOLATION LEVEL");
            rs.next();
            ok("settings", rs.getString(1) + " isolation=" + c.getTransactionIsolation());
        });
        check("readOnlyMaxRows", () -> {
            // Metabase opens its connections read-only and caps the rows.
            c.setReadOnly(true);
            Statement st = c.createStatement();
            st.setMaxRows(5);
            st.setQueryTimeout(30);
            ResultSet rs = st.executeQuery("SELECT id FROM digitalocean_images.images ORDER BY id");
            int n = 0;
            while (rs.next()) n++;
            c.setReadOnly(false);
            if (n != 5) fail("readOnlyMaxRows", n + " rows");
            ok("readOnlyMaxRows", n + " rows");
        });

        check("metabaseDay", () -> {
            // Metabase's breakout by day with a date filter, as it renders them.
            Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT CAST(\"digitalocean_images\".\"images\".\"created_at\" AS date) AS \"created_at\", COUNT(*) AS \"count\" "
                + "FROM \"digitalocean_images\".\"images\" WHERE \"digitalocean_images\".\"images\".\"created_at\" >= timestamp with time zone '2000-01-01 00:00:00.000Z' "
                + "GROUP BY CAST(\"digitalocean_images\".\"images\".\"created_at\" AS date) ORDER BY CAST(\"digitalocean_images\".\"images\".\"created_at\" AS date) ASC");
            long total = 0;
            String first = null;
            while (rs.next()) {
                if (first == null) first = rs.getString("created_at");
                total += rs.getLong("count");
            }
            if (first == null || !first.matches("\\d{4}-\\d{2}-\\d{2}")) fail("metabaseDay", "day " + first);
            ok("metabaseDay", "total=" + total);
        });

        c.close();
        System.out.println("done");
    }
}
