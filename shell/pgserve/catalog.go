package pgserve

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/apiql/apiql/registry"
)

// Fixed oids of the catalog, as Postgres numbers them.
const (
	oidPgCatalog         = 11
	oidPublic            = 2200
	oidInformationSchema = 13000
	oidDatabase          = 16384
	oidRole              = 10
	oidFirstSchema       = 16385
)

// pgTypes are the types the catalog lists: oid, name, length, category,
// and the oid of the array type (0 for none).
var pgTypes = []struct {
	oid      uint32
	name     string
	length   int
	category string
	array    uint32
	elem     uint32
}{
	{16, "bool", 1, "B", 1000, 0},
	{17, "bytea", -1, "U", 1001, 0},
	{18, "char", 1, "Z", 1002, 0},
	{19, "name", 64, "S", 1003, 0},
	{20, "int8", 8, "N", 1016, 0},
	{21, "int2", 2, "N", 1005, 0},
	{22, "int2vector", -1, "A", 1006, 21},
	{23, "int4", 4, "N", 1007, 0},
	{24, "regproc", 4, "N", 1008, 0},
	{25, "text", -1, "S", 1009, 0},
	{26, "oid", 4, "N", 1028, 0},
	{30, "oidvector", -1, "A", 1013, 26},
	{114, "json", -1, "U", 199, 0},
	{700, "float4", 4, "N", 1021, 0},
	{701, "float8", 8, "N", 1022, 0},
	{1000, "_bool", -1, "A", 0, 16},
	{1005, "_int2", -1, "A", 0, 21},
	{1007, "_int4", -1, "A", 0, 23},
	{1009, "_text", -1, "A", 0, 25},
	{1016, "_int8", -1, "A", 0, 20},
	{1022, "_float8", -1, "A", 0, 701},
	{1042, "bpchar", -1, "S", 1014, 0},
	{1043, "varchar", -1, "S", 1015, 0},
	{1082, "date", 4, "D", 1182, 0},
	{1114, "timestamp", 8, "D", 1115, 0},
	{1184, "timestamptz", 8, "D", 1185, 0},
	{1700, "numeric", -1, "N", 1231, 0},
	{2205, "regclass", 4, "N", 2210, 0},
	{2206, "regtype", 4, "N", 2211, 0},
	{2950, "uuid", 16, "U", 2951, 0},
	{3802, "jsonb", -1, "U", 3807, 0},
}

// typeOIDs maps a type name to its oid.
var typeOIDs = func() map[string]uint32 {
	m := map[string]uint32{}
	for _, t := range pgTypes {
		m[t.name] = t.oid
	}
	return m
}()

// typeNames maps an oid to the name format_type gives it.
var typeNames = map[uint32]string{
	16: "boolean", 17: "bytea", 18: `"char"`, 19: "name", 20: "bigint", 21: "smallint", 23: "integer",
	25: "text", 26: "oid", 114: "json", 700: "real", 701: "double precision", 1009: "text[]",
	1042: "character", 1043: "character varying", 1082: "date", 1114: "timestamp without time zone",
	1184: "timestamp with time zone", 1700: "numeric", 2205: "regclass", 3802: "jsonb",
}

// oidFor returns the Postgres type of a registry type: integers int8,
// numbers float8, booleans bool, arrays and objects json, the rest text.
func oidFor(registryType string) uint32 {
	switch registryType {
	case registry.TypeInteger:
		return 20
	case registry.TypeNumber:
		return 701
	case registry.TypeBoolean:
		return 16
	case registry.TypeArray, registry.TypeObject:
		return 114
	}
	return 25
}

// catalog is what the registry looks like to a Postgres client: each
// provider service a schema named provider_service, each resource a table.
type catalog struct {
	schemas []*schema
	// bySchema finds a schema by name.
	bySchema map[string]*schema
	// tables by oid, for regclass and descriptions.
	tables map[int64]*table
	// script creates and fills the catalog tables in a fresh SQLite database.
	script string
	// ends are the offsets in script where its statements after the DDL
	// end: they are run one at a time (see execScript).
	ends []int
	// writes is --allow-writes: the privileges the catalog reports.
	writes bool
}

type schema struct {
	oid     int64
	name    string
	service *registry.Service
	tables  []*table
}

type table struct {
	oid    int64
	schema *schema
	res    *registry.Resource
}

// schemaName is the Postgres schema of a service.
func schemaName(s *registry.Service) string { return s.Provider.Name + "_" + s.Name }

// newCatalog builds the catalog of reg; writes (--allow-writes) decides the
// privileges it reports.
func newCatalog(reg *registry.Registry, writes bool) (*catalog, error) {
	c := &catalog{bySchema: map[string]*schema{}, tables: map[int64]*table{}, writes: writes}
	oid := int64(oidFirstSchema)
	for _, p := range reg.Providers {
		for _, s := range p.Services {
			sc := &schema{oid: oid, name: schemaName(s), service: s}
			oid++
			if prev, ok := c.bySchema[sc.name]; ok {
				return nil, fmt.Errorf("services %s.%s and %s.%s would both be schema %s",
					prev.service.Provider.Name, prev.service.Name, p.Name, s.Name, sc.name)
			}
			c.bySchema[sc.name] = sc
			c.schemas = append(c.schemas, sc)
		}
	}
	sort.Slice(c.schemas, func(i, j int) bool { return c.schemas[i].name < c.schemas[j].name })
	oid = (oid/1000 + 1) * 1000
	for _, sc := range c.schemas {
		for _, r := range sc.service.Resources() {
			t := &table{oid: oid, schema: sc, res: r}
			oid++
			sc.tables = append(sc.tables, t)
			c.tables[t.oid] = t
		}
	}
	c.script = c.build()
	return c, nil
}

// lookup finds the table schema.name, or name in any schema when schema is "".
func (c *catalog) lookup(schemaName, name string) *table {
	for _, sc := range c.schemas {
		if schemaName != "" && sc.name != schemaName {
			continue
		}
		for _, t := range sc.tables {
			if t.res.Name == name {
				return t
			}
		}
	}
	return nil
}

// catalogDDL creates the catalog tables: the columns of Postgres's that
// clients read. Those apiql has nothing for stay empty.
const catalogDDL = `
CREATE TABLE pg_namespace (oid INTEGER PRIMARY KEY, nspname TEXT, nspowner INTEGER, nspacl TEXT);
CREATE TABLE pg_class (oid INTEGER PRIMARY KEY, relname TEXT, relnamespace INTEGER, reltype INTEGER, reloftype INTEGER,
  relowner INTEGER, relam INTEGER, relfilenode INTEGER, reltablespace INTEGER, relpages INTEGER, reltuples REAL,
  relallvisible INTEGER, reltoastrelid INTEGER, relhasindex BOOLEAN, relisshared BOOLEAN, relpersistence TEXT,
  relkind TEXT, relnatts INTEGER, relchecks INTEGER, relhasrules BOOLEAN, relhastriggers BOOLEAN, relhassubclass BOOLEAN,
  relrowsecurity BOOLEAN, relforcerowsecurity BOOLEAN, relispopulated BOOLEAN, relreplident TEXT, relispartition BOOLEAN,
  relrewrite INTEGER, relfrozenxid INTEGER, relminmxid INTEGER, relacl TEXT, reloptions TEXT, relpartbound TEXT, relhasoids BOOLEAN);
CREATE TABLE pg_attribute (attrelid INTEGER, attname TEXT, atttypid INTEGER, attstattarget INTEGER, attlen INTEGER,
  attnum INTEGER, attndims INTEGER, attcacheoff INTEGER, atttypmod INTEGER, attbyval BOOLEAN, attalign TEXT,
  attstorage TEXT, attcompression TEXT, attnotnull BOOLEAN, atthasdef BOOLEAN, atthasmissing BOOLEAN, attidentity TEXT,
  attgenerated TEXT, attisdropped BOOLEAN, attislocal BOOLEAN, attinhcount INTEGER, attcollation INTEGER, attacl TEXT,
  attoptions TEXT, attfdwoptions TEXT, attmissingval TEXT);
CREATE TABLE pg_type (oid INTEGER PRIMARY KEY, typname TEXT, typnamespace INTEGER, typowner INTEGER, typlen INTEGER,
  typbyval BOOLEAN, typtype TEXT, typcategory TEXT, typispreferred BOOLEAN, typisdefined BOOLEAN, typdelim TEXT,
  typrelid INTEGER, typsubscript TEXT, typelem INTEGER, typarray INTEGER, typinput TEXT, typoutput TEXT, typreceive TEXT,
  typsend TEXT, typmodin TEXT, typmodout TEXT, typanalyze TEXT, typalign TEXT, typstorage TEXT, typnotnull BOOLEAN,
  typbasetype INTEGER, typtypmod INTEGER, typndims INTEGER, typcollation INTEGER, typdefaultbin TEXT, typdefault TEXT, typacl TEXT);
CREATE TABLE pg_database (oid INTEGER PRIMARY KEY, datname TEXT, datdba INTEGER, encoding INTEGER, datlocprovider TEXT,
  datistemplate BOOLEAN, datallowconn BOOLEAN, datconnlimit INTEGER, datlastsysoid INTEGER, datfrozenxid INTEGER,
  datminmxid INTEGER, dattablespace INTEGER, datcollate TEXT, datctype TEXT, daticulocale TEXT, daticurules TEXT,
  datcollversion TEXT, datacl TEXT);
CREATE TABLE pg_settings (name TEXT, setting TEXT, unit TEXT, category TEXT, short_desc TEXT, extra_desc TEXT,
  context TEXT, vartype TEXT, source TEXT, min_val TEXT, max_val TEXT, enumvals TEXT, boot_val TEXT, reset_val TEXT,
  sourcefile TEXT, sourceline INTEGER, pending_restart BOOLEAN);
CREATE TABLE pg_index (indexrelid INTEGER, indrelid INTEGER, indnatts INTEGER, indnkeyatts INTEGER, indisunique BOOLEAN,
  indnullsnotdistinct BOOLEAN, indisprimary BOOLEAN, indisexclusion BOOLEAN, indimmediate BOOLEAN, indisclustered BOOLEAN,
  indisvalid BOOLEAN, indcheckxmin BOOLEAN, indisready BOOLEAN, indislive BOOLEAN, indisreplident BOOLEAN, indkey TEXT,
  indcollation TEXT, indclass TEXT, indoption TEXT, indexprs TEXT, indpred TEXT);
CREATE TABLE pg_proc (oid INTEGER PRIMARY KEY, proname TEXT, pronamespace INTEGER, proowner INTEGER, prolang INTEGER,
  procost REAL, prorows REAL, provariadic INTEGER, prosupport TEXT, prokind TEXT, prosecdef BOOLEAN, proleakproof BOOLEAN,
  proisstrict BOOLEAN, proretset BOOLEAN, provolatile TEXT, proparallel TEXT, pronargs INTEGER, pronargdefaults INTEGER,
  prorettype INTEGER, proargtypes TEXT, proallargtypes TEXT, proargmodes TEXT, proargnames TEXT, proargdefaults TEXT,
  protrftypes TEXT, prosrc TEXT, probin TEXT, prosqlbody TEXT, proconfig TEXT, proacl TEXT);
CREATE TABLE pg_description (objoid INTEGER, classoid INTEGER, objsubid INTEGER, description TEXT);
CREATE TABLE pg_shdescription (objoid INTEGER, classoid INTEGER, description TEXT);
CREATE TABLE pg_attrdef (oid INTEGER, adrelid INTEGER, adnum INTEGER, adbin TEXT);
CREATE TABLE pg_constraint (oid INTEGER, conname TEXT, connamespace INTEGER, contype TEXT, condeferrable BOOLEAN,
  condeferred BOOLEAN, convalidated BOOLEAN, conrelid INTEGER, contypid INTEGER, conindid INTEGER, conparentid INTEGER,
  confrelid INTEGER, confupdtype TEXT, confdeltype TEXT, confmatchtype TEXT, conislocal BOOLEAN, coninhcount INTEGER,
  connoinherit BOOLEAN, conkey TEXT, confkey TEXT, conpfeqop TEXT, conppeqop TEXT, conffeqop TEXT, confdelsetcols TEXT,
  conexclop TEXT, conbin TEXT);
CREATE TABLE pg_am (oid INTEGER, amname TEXT, amhandler TEXT, amtype TEXT);
CREATE TABLE pg_roles (oid INTEGER, rolname TEXT, rolsuper BOOLEAN, rolinherit BOOLEAN, rolcreaterole BOOLEAN,
  rolcreatedb BOOLEAN, rolcanlogin BOOLEAN, rolreplication BOOLEAN, rolconnlimit INTEGER, rolpassword TEXT,
  rolvaliduntil TEXT, rolbypassrls BOOLEAN, rolconfig TEXT);
CREATE TABLE pg_user (usename TEXT, usesysid INTEGER, usecreatedb BOOLEAN, usesuper BOOLEAN, userepl BOOLEAN,
  usebypassrls BOOLEAN, passwd TEXT, valuntil TEXT, useconfig TEXT);
CREATE TABLE pg_auth_members (oid INTEGER, roleid INTEGER, member INTEGER, grantor INTEGER, admin_option BOOLEAN,
  inherit_option BOOLEAN, set_option BOOLEAN);
CREATE TABLE pg_inherits (inhrelid INTEGER, inhparent INTEGER, inhseqno INTEGER, inhdetachpending BOOLEAN);
CREATE TABLE pg_trigger (oid INTEGER, tgrelid INTEGER, tgparentid INTEGER, tgname TEXT, tgfoid INTEGER, tgtype INTEGER,
  tgenabled TEXT, tgisinternal BOOLEAN, tgconstrrelid INTEGER, tgconstrindid INTEGER, tgconstraint INTEGER,
  tgdeferrable BOOLEAN, tginitdeferred BOOLEAN, tgnargs INTEGER, tgattr TEXT, tgargs TEXT, tgqual TEXT,
  tgoldtable TEXT, tgnewtable TEXT);
CREATE TABLE pg_tablespace (oid INTEGER, spcname TEXT, spcowner INTEGER, spcacl TEXT, spcoptions TEXT);
CREATE TABLE pg_extension (oid INTEGER, extname TEXT, extowner INTEGER, extnamespace INTEGER, extrelocatable BOOLEAN,
  extversion TEXT, extconfig TEXT, extcondition TEXT);
CREATE TABLE pg_collation (oid INTEGER, collname TEXT, collnamespace INTEGER, collowner INTEGER, collprovider TEXT,
  collisdeterministic BOOLEAN, collencoding INTEGER, collcollate TEXT, collctype TEXT);
CREATE TABLE pg_enum (oid INTEGER, enumtypid INTEGER, enumsortorder REAL, enumlabel TEXT);
CREATE TABLE pg_rewrite (oid INTEGER, rulename TEXT, ev_class INTEGER, ev_type TEXT, ev_enabled TEXT, is_instead BOOLEAN, ev_qual TEXT, ev_action TEXT);
CREATE TABLE pg_policy (oid INTEGER, polname TEXT, polrelid INTEGER, polcmd TEXT, polpermissive BOOLEAN, polroles TEXT, polqual TEXT, polwithcheck TEXT);
CREATE TABLE pg_statistic_ext (oid INTEGER, stxrelid INTEGER, stxname TEXT, stxnamespace INTEGER, stxowner INTEGER, stxstattarget INTEGER, stxkeys TEXT, stxkind TEXT, stxexprs TEXT);
CREATE TABLE pg_publication (oid INTEGER, pubname TEXT, pubowner INTEGER, puballtables BOOLEAN, pubinsert BOOLEAN, pubupdate BOOLEAN, pubdelete BOOLEAN, pubtruncate BOOLEAN, pubviaroot BOOLEAN);
CREATE TABLE pg_publication_rel (oid INTEGER, prpubid INTEGER, prrelid INTEGER, prqual TEXT, prattrs TEXT);
CREATE TABLE pg_publication_namespace (oid INTEGER, pnpubid INTEGER, pnnspid INTEGER);
CREATE TABLE pg_foreign_table (ftrelid INTEGER, ftserver INTEGER, ftoptions TEXT);
CREATE TABLE pg_foreign_server (oid INTEGER, srvname TEXT, srvowner INTEGER, srvfdw INTEGER, srvtype TEXT, srvversion TEXT, srvacl TEXT, srvoptions TEXT);
CREATE TABLE pg_foreign_data_wrapper (oid INTEGER, fdwname TEXT, fdwowner INTEGER, fdwhandler INTEGER, fdwvalidator INTEGER, fdwacl TEXT, fdwoptions TEXT);
CREATE TABLE pg_partitioned_table (partrelid INTEGER, partstrat TEXT, partnatts INTEGER, partdefid INTEGER, partattrs TEXT, partclass TEXT, partcollation TEXT, partexprs TEXT);
CREATE TABLE pg_sequence (seqrelid INTEGER, seqtypid INTEGER, seqstart INTEGER, seqincrement INTEGER, seqmax INTEGER, seqmin INTEGER, seqcache INTEGER, seqcycle BOOLEAN);
CREATE TABLE pg_depend (classid INTEGER, objid INTEGER, objsubid INTEGER, refclassid INTEGER, refobjid INTEGER, refobjsubid INTEGER, deptype TEXT);
CREATE TABLE pg_language (oid INTEGER, lanname TEXT, lanowner INTEGER, lanispl BOOLEAN, lanpltrusted BOOLEAN, lanplcallfoid INTEGER, laninline INTEGER, lanvalidator INTEGER, lanacl TEXT);
CREATE TABLE pg_event_trigger (oid INTEGER, evtname TEXT, evtevent TEXT, evtowner INTEGER, evtfoid INTEGER, evtenabled TEXT, evttags TEXT);
CREATE TABLE pg_cast (oid INTEGER, castsource INTEGER, casttarget INTEGER, castfunc INTEGER, castcontext TEXT, castmethod TEXT);
CREATE TABLE pg_operator (oid INTEGER, oprname TEXT, oprnamespace INTEGER, oprowner INTEGER, oprkind TEXT, oprleft INTEGER, oprright INTEGER, oprresult INTEGER, oprcode TEXT);
CREATE TABLE pg_opclass (oid INTEGER, opcmethod INTEGER, opcname TEXT, opcnamespace INTEGER, opcowner INTEGER, opcfamily INTEGER, opcintype INTEGER, opcdefault BOOLEAN, opckeytype INTEGER);
CREATE TABLE pg_aggregate (aggfnoid INTEGER, aggkind TEXT, aggnumdirectargs INTEGER, aggtransfn TEXT, aggfinalfn TEXT);
CREATE TABLE pg_range (rngtypid INTEGER, rngsubtype INTEGER, rngmultitypid INTEGER, rngcollation INTEGER, rngsubopc INTEGER, rngcanonical TEXT, rngsubdiff TEXT);
CREATE TABLE pg_stat_activity (datid INTEGER, datname TEXT, pid INTEGER, usesysid INTEGER, usename TEXT, application_name TEXT,
  client_addr TEXT, client_hostname TEXT, client_port INTEGER, backend_start TEXT, xact_start TEXT, query_start TEXT,
  state_change TEXT, wait_event_type TEXT, wait_event TEXT, state TEXT, backend_xid INTEGER, backend_xmin INTEGER, query TEXT, backend_type TEXT);
CREATE TABLE pg_matviews (schemaname TEXT, matviewname TEXT, matviewowner TEXT, tablespace TEXT, hasindexes BOOLEAN, ispopulated BOOLEAN, definition TEXT);
CREATE TABLE pg_views (schemaname TEXT, viewname TEXT, viewowner TEXT, definition TEXT);
CREATE TABLE pg_indexes (schemaname TEXT, tablename TEXT, indexname TEXT, tablespace TEXT, indexdef TEXT);
CREATE TABLE pg_stat_user_tables (relid INTEGER, schemaname TEXT, relname TEXT, seq_scan INTEGER, seq_tup_read INTEGER,
  idx_scan INTEGER, idx_tup_fetch INTEGER, n_tup_ins INTEGER, n_tup_upd INTEGER, n_tup_del INTEGER, n_live_tup INTEGER,
  n_dead_tup INTEGER, last_vacuum TEXT, last_autovacuum TEXT, last_analyze TEXT, last_autoanalyze TEXT);
CREATE TABLE pg_timezone_names (name TEXT, abbrev TEXT, utc_offset TEXT, is_dst BOOLEAN);
CREATE VIEW pg_tables AS SELECT n.nspname AS schemaname, c.relname AS tablename, 'apiql' AS tableowner,
  NULL AS tablespace, 0 AS hasindexes, 0 AS hasrules, 0 AS hastriggers, 0 AS rowsecurity
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r';
CREATE TABLE information_schema_schemata (catalog_name TEXT, schema_name TEXT, schema_owner TEXT,
  default_character_set_catalog TEXT, default_character_set_schema TEXT, default_character_set_name TEXT, sql_path TEXT);
CREATE TABLE information_schema_tables (table_catalog TEXT, table_schema TEXT, table_name TEXT, table_type TEXT,
  self_referencing_column_name TEXT, reference_generation TEXT, user_defined_type_catalog TEXT,
  user_defined_type_schema TEXT, user_defined_type_name TEXT, is_insertable_into TEXT, is_typed TEXT, commit_action TEXT);
CREATE TABLE information_schema_columns (table_catalog TEXT, table_schema TEXT, table_name TEXT, column_name TEXT,
  ordinal_position INTEGER, column_default TEXT, is_nullable TEXT, data_type TEXT, character_maximum_length INTEGER,
  character_octet_length INTEGER, numeric_precision INTEGER, numeric_precision_radix INTEGER, numeric_scale INTEGER,
  datetime_precision INTEGER, interval_type TEXT, interval_precision INTEGER, character_set_catalog TEXT,
  character_set_schema TEXT, character_set_name TEXT, collation_catalog TEXT, collation_schema TEXT, collation_name TEXT,
  domain_catalog TEXT, domain_schema TEXT, domain_name TEXT, udt_catalog TEXT, udt_schema TEXT, udt_name TEXT,
  scope_catalog TEXT, scope_schema TEXT, scope_name TEXT, maximum_cardinality INTEGER, dtd_identifier TEXT,
  is_self_referencing TEXT, is_identity TEXT, identity_generation TEXT, identity_start TEXT, identity_increment TEXT,
  identity_maximum TEXT, identity_minimum TEXT, identity_cycle TEXT, is_generated TEXT, generation_expression TEXT,
  is_updatable TEXT);
CREATE TABLE information_schema_views (table_catalog TEXT, table_schema TEXT, table_name TEXT, view_definition TEXT,
  check_option TEXT, is_updatable TEXT, is_insertable_into TEXT, is_trigger_updatable TEXT, is_trigger_deletable TEXT, is_trigger_insertable_into TEXT);
CREATE TABLE information_schema_routines (specific_catalog TEXT, specific_schema TEXT, specific_name TEXT,
  routine_catalog TEXT, routine_schema TEXT, routine_name TEXT, routine_type TEXT, data_type TEXT);
CREATE TABLE information_schema_table_constraints (constraint_catalog TEXT, constraint_schema TEXT, constraint_name TEXT,
  table_catalog TEXT, table_schema TEXT, table_name TEXT, constraint_type TEXT, is_deferrable TEXT, initially_deferred TEXT, enforced TEXT, nulls_distinct TEXT);
CREATE TABLE information_schema_key_column_usage (constraint_catalog TEXT, constraint_schema TEXT, constraint_name TEXT,
  table_catalog TEXT, table_schema TEXT, table_name TEXT, column_name TEXT, ordinal_position INTEGER, position_in_unique_constraint INTEGER);
CREATE TABLE information_schema_referential_constraints (constraint_catalog TEXT, constraint_schema TEXT, constraint_name TEXT,
  unique_constraint_catalog TEXT, unique_constraint_schema TEXT, unique_constraint_name TEXT, match_option TEXT, update_rule TEXT, delete_rule TEXT);
CREATE TABLE information_schema_table_privileges (grantor TEXT, grantee TEXT, table_catalog TEXT, table_schema TEXT,
  table_name TEXT, privilege_type TEXT, is_grantable TEXT, with_hierarchy TEXT);
CREATE TABLE information_schema_constraint_column_usage (table_catalog TEXT, table_schema TEXT, table_name TEXT, column_name TEXT,
  constraint_catalog TEXT, constraint_schema TEXT, constraint_name TEXT);
`

// build returns the SQL that fills the catalog.
func (c *catalog) build() string {
	var b strings.Builder
	b.WriteString(catalogDDL)
	c.ends = append(c.ends[:0], b.Len())
	ins := func(table string, vals ...any) {
		b.WriteString("INSERT INTO " + table + " VALUES (")
		for i, v := range vals {
			if i > 0 {
				b.WriteString(", ")
			}
			switch x := v.(type) {
			case nil:
				b.WriteString("NULL")
			case string:
				b.WriteString(quoteString(x))
			case bool:
				if x {
					b.WriteString("1")
				} else {
					b.WriteString("0")
				}
			default:
				fmt.Fprint(&b, x)
			}
		}
		b.WriteString(");\n")
		c.ends = append(c.ends, b.Len())
	}
	// Schemas.
	nsp := func(oid int64, name, desc string) {
		ins("pg_namespace", oid, name, oidRole, nil)
		ins("information_schema_schemata", dbName, name, "apiql", nil, nil, nil, nil)
		if desc != "" {
			ins("pg_description", oid, 2615, 0, desc)
		}
	}
	nsp(oidPgCatalog, "pg_catalog", "system catalog schema")
	nsp(oidPublic, "public", "standard public schema (empty: each apiql service is a schema)")
	nsp(oidInformationSchema, "information_schema", "")
	for _, sc := range c.schemas {
		desc := sc.service.Title
		if sc.service.Description != "" {
			desc = strings.TrimSpace(sc.service.Description)
		}
		nsp(sc.oid, sc.name, desc)
	}
	// Types.
	for _, t := range pgTypes {
		typtype := "b"
		in, out := t.name+"in", t.name+"out"
		if t.category == "A" && t.name[0] == '_' {
			in, out = "array_in", "array_out"
		}
		ins("pg_type", t.oid, t.name, oidPgCatalog, oidRole, t.length, t.length > 0 && t.length <= 8, typtype, t.category,
			false, true, ",", 0, nil, t.elem, t.array, in, out, t.name+"recv", t.name+"send",
			nil, nil, nil, "i", "x", false, 0, -1, 0, 0, nil, nil, nil)
	}
	ins("pg_database", oidDatabase, dbName, oidRole, 6, "c", false, true, -1, 0, 0, 0, 1663, "C.UTF-8", "C.UTF-8", nil, nil, nil, nil)
	ins("pg_roles", oidRole, "apiql", false, true, false, false, true, false, -1, "********", nil, false, nil)
	ins("pg_user", "apiql", oidRole, false, false, false, false, "********", nil, nil)
	ins("pg_am", 2, "heap", "heap_tableam_handler", "t")
	ins("pg_tablespace", 1663, "pg_default", oidRole, nil, nil)
	for _, s := range defaultSettings {
		ins("pg_settings", s.name, s.value, nil, "apiql", s.desc, nil, "user", "string", "default", nil, nil, nil, s.value, s.value, nil, nil, false)
	}
	// Tables and columns.
	for _, sc := range c.schemas {
		for _, t := range sc.tables {
			r := t.res
			privs := c.privileges(t.oid)
			ins("pg_class", t.oid, r.Name, sc.oid, 0, 0, oidRole, 2, t.oid, 0, 0, -1, 0, 0, false, false, "p", "r",
				len(r.Fields), 0, false, false, false, false, false, true, "d", false, 0, 0, 0, aclText(privs), nil, nil, false)
			for _, grantee := range []string{"apiql", "PUBLIC"} {
				for _, p := range privs {
					ins("information_schema_table_privileges", "apiql", grantee, dbName, sc.name, r.Name, p, "NO", "YES")
				}
			}
			if r.Description != "" {
				ins("pg_description", t.oid, 1259, 0, strings.TrimSpace(r.Description))
			}
			insertable := "NO"
			if slices.Contains(privs, "INSERT") {
				insertable = "YES"
			}
			ins("information_schema_tables", dbName, sc.name, r.Name, "BASE TABLE", nil, nil, nil, nil, nil, insertable, "NO", nil)
			for i, f := range r.Fields {
				typ := oidFor(f.Type)
				length := -1
				for _, pt := range pgTypes {
					if pt.oid == typ {
						length = pt.length
					}
				}
				ins("pg_attribute", t.oid, f.Name, typ, -1, length, i+1, 0, -1, -1, length > 0, "i", "x", "", false,
					false, false, "", "", false, true, 0, 0, nil, nil, nil, nil)
				if f.Description != "" {
					ins("pg_description", t.oid, 1259, i+1, strings.TrimSpace(f.Description))
				}
				udt := pgTypeName(typ)
				var prec, radix, scale any
				switch typ {
				case 20:
					prec, radix, scale = 64, 2, 0
				case 701:
					prec, radix = 53, 2
				}
				ins("information_schema_columns", dbName, sc.name, r.Name, f.Name, i+1, nil, "YES", typeNames[typ],
					nil, nil, prec, radix, scale, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil,
					dbName, "pg_catalog", udt, nil, nil, nil, nil, fmt.Sprint(i+1), "NO", "NO", nil, nil, nil, nil, nil,
					"NO", "NEVER", nil, "NO")
			}
		}
	}
	return b.String()
}

// privileges is what a client may do with the table oid: SELECT; and on a
// resource's table, when the server allows writes, INSERT, UPDATE and
// DELETE where the resource has a method for them (as the engine finds
// them: engine.Session.writeMethod). A read-only server
// reports SELECT alone (a client that believes it may write offers edits
// that every one fail).
func (c *catalog) privileges(oid int64) []string {
	out := []string{"SELECT"}
	t := c.tables[oid]
	if t == nil || !c.writes {
		return out
	}
	if len(t.res.MethodsFor(registry.VerbInsert)) > 0 {
		out = append(out, "INSERT")
	}
	// UPDATE reaches an exec method that sends PUT or PATCH when no method
	// declares the verb, as the engine does.
	update := len(t.res.MethodsFor(registry.VerbUpdate)) > 0
	for _, m := range t.res.MethodsFor(registry.VerbExec) {
		update = update || m.HTTPMethod == "PUT" || m.HTTPMethod == "PATCH"
	}
	if update {
		out = append(out, "UPDATE")
	}
	if len(t.res.MethodsFor(registry.VerbDelete)) > 0 {
		out = append(out, "DELETE")
	}
	return out
}

// aclText is Postgres's text of an ACL granting privs to apiql, the owner,
// and to PUBLIC (every user the server lets in): {apiql=r/apiql,=r/apiql}.
// Left NULL, clients read the owner's default, every privilege.
func aclText(privs []string) string {
	letters := map[string]string{"SELECT": "r", "INSERT": "a", "UPDATE": "w", "DELETE": "d"}
	var l strings.Builder
	for _, p := range []string{"INSERT", "SELECT", "UPDATE", "DELETE"} { // Postgres's order: arwd
		if slices.Contains(privs, p) {
			l.WriteString(letters[p])
		}
	}
	return "{apiql=" + l.String() + "/apiql,=" + l.String() + "/apiql}"
}

// hasPrivilege answers has_table_privilege and its kin: whether the
// table (an oid, or a name as regclass reads it) allows any of the
// privileges listed (comma-separated, in any case, WITH GRANT OPTION
// never granted). A table the catalog does not know allows SELECT.
func (c *catalog) hasPrivilege(table any, list string) bool {
	var oid int64
	switch v := table.(type) {
	case string:
		if o, ok := regclass(c, v).(int64); ok {
			oid = o
		}
	default:
		oid = toInt(v)
	}
	privs := c.privileges(oid)
	for _, p := range strings.Split(list, ",") {
		p = strings.ToUpper(strings.TrimSpace(p))
		if strings.HasSuffix(p, " WITH GRANT OPTION") {
			continue
		}
		if slices.Contains(privs, p) {
			return true
		}
	}
	return false
}

func pgTypeName(oid uint32) string {
	for _, t := range pgTypes {
		if t.oid == oid {
			return t.name
		}
	}
	return "text"
}

// catalogColumnTypes maps each catalog column name to its type, for the
// parameters compared with it.
var catalogColumnTypes = func() map[string]uint32 {
	m := map[string]uint32{}
	for _, match := range regexp.MustCompile(`(\w+) (INTEGER|TEXT|REAL|BOOLEAN)\b`).FindAllStringSubmatch(catalogDDL, -1) {
		oid := uint32(oidText)
		switch match[2] {
		case "INTEGER":
			oid = oidInt8
		case "REAL":
			oid = oidFloat8
		case "BOOLEAN":
			oid = oidBool
		}
		if prev, ok := m[match[1]]; !ok || prev == oidText {
			m[match[1]] = oid
		}
	}
	return m
}()

// dbName is the database clients see.
const dbName = "apiql"

// setting is one run-time parameter with its default.
type setting struct {
	name, value, desc string
}

// defaultSettings are the parameters SHOW answers and pg_settings lists.
// None is a secret: the API token is no setting.
var defaultSettings = []setting{
	{"application_name", "", "Sets the application name to be reported in statistics and logs."},
	{"bytea_output", "hex", "Sets the output format for bytea."},
	{"client_encoding", "UTF8", "Sets the client's character set encoding."},
	{"client_min_messages", "notice", "Sets the message levels that are sent to the client."},
	{"DateStyle", "ISO, MDY", "Sets the display format for date and time values."},
	{"default_transaction_isolation", "read committed", "Sets the transaction isolation level of each new transaction."},
	{"default_transaction_read_only", "on", "Sets the default read-only status of new transactions."},
	{"extra_float_digits", "1", "Sets the number of digits displayed for floating-point values."},
	{"integer_datetimes", "on", "Shows whether datetimes are integer based."},
	{"IntervalStyle", "postgres", "Sets the display format for interval values."},
	{"is_superuser", "off", "Shows whether the current user is a superuser."},
	{"lc_collate", "C.UTF-8", "Shows the collation order locale."},
	{"lc_ctype", "C.UTF-8", "Shows the character classification and case conversion locale."},
	{"lc_messages", "C.UTF-8", "Sets the language in which messages are displayed."},
	{"lc_monetary", "C.UTF-8", "Sets the locale for formatting monetary amounts."},
	{"lc_numeric", "C.UTF-8", "Sets the locale for formatting numbers."},
	{"lc_time", "C.UTF-8", "Sets the locale for formatting date and time values."},
	{"max_connections", "100", "Sets the maximum number of concurrent connections."},
	{"max_identifier_length", "63", "Shows the maximum identifier length."},
	{"max_index_keys", "32", "Shows the maximum number of index keys."}, // pgjdbc's getImportedKeys reads it
	{"search_path", `"$user", public`, "Sets the schema search order for names that are not schema-qualified."},
	{"server_encoding", "UTF8", "Shows the server (database) character set encoding."},
	{"server_version", pgVersionShort, "Shows the server version."},
	{"server_version_num", pgVersionNum, "Shows the server version as an integer."},
	{"standard_conforming_strings", "on", "Causes '...' strings to treat backslashes literally."},
	{"statement_timeout", "0", "Sets the maximum allowed duration of any statement."},
	{"TimeZone", "UTC", "Sets the time zone for displaying and interpreting time stamps."},
	{"transaction_isolation", "read committed", "Sets the current transaction's isolation level."},
	{"transaction_read_only", "on", "Sets the current transaction's read-only status."},
}

// The Postgres version apiql presents itself as.
const (
	pgVersionShort = "15.0"
	pgVersionNum   = "150000"
)
