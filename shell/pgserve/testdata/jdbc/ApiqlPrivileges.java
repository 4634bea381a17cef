import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Properties;
import java.util.TreeSet;

// ApiqlPrivileges prints what pgjdbc's DatabaseMetaData.getTablePrivileges
// (DBeaver's and Metabase's source of what a user may do with a table)
// says of digitalocean_images.images: "privileges <GRANTEE:PRIVILEGE ...>".
// Usage: java ApiqlPrivileges jdbc:postgresql://host:port/apiql password
public class ApiqlPrivileges {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", "apiql");
        props.setProperty("password", args[1]);
        try (Connection c = DriverManager.getConnection(args[0], props)) {
            DatabaseMetaData md = c.getMetaData();
            TreeSet<String> got = new TreeSet<>();
            try (ResultSet rs = md.getTablePrivileges(null, "digitalocean_images", "images")) {
                while (rs.next()) {
                    got.add(rs.getString("GRANTEE") + ":" + rs.getString("PRIVILEGE"));
                }
            }
            System.out.println("privileges " + String.join(" ", got));
        }
    }
}
