// Package registry holds apiql's description of cloud APIs: providers, their
// services and resources, each resource's fields and the methods that read or
// change it. The registry is data: the engine and the HTTP runtime act on what
// it declares and never name a provider themselves.
//
// The default registry is embedded in the binary (see Default); Load adds
// provider folders from disk on top of it. The embedded registry is read a
// service at a time: Load reads each service file only as far as its
// resources: key (name, title, description), and the resources when first
// asked for (Service.Resources), so start-up does not grow with the
// registry; Registry.Check reads it whole (its tests do). Folders from disk
// are read and checked whole by Load.
//
// # Layout
//
// A folder of providers holds one folder per provider:
//
//	<provider>/provider.yaml
//	<provider>/services/<service>.yaml
//
// The provider's name must be its folder's name, and a service's name its
// file's name. Names are letters, digits and underscores.
//
// # provider.yaml
//
//	name: digitalocean                     # required
//	description: ...
//	base_url: https://api.digitalocean.com # required
//	base_url_env: DIGITALOCEAN_API_URL     # overrides base_url when set
//	auth: {type: bearer, token_env: [DIGITALOCEAN_TOKEN, DIGITALOCEAN_ACCESS_TOKEN]}
//	pagination: {style: links, next: links.pages.next, last: links.pages.last,
//	             total: meta.total, page_param: page, size_param: per_page, max_page_size: 200}
//
// auth.type is bearer (token_env required) or none (the default when auth is
// absent). pagination is needed only when a method is paginated; style links
// needs next.
//
// # services/<service>.yaml
//
//	name: images                 # required, the file's name
//	title: Images
//	description: ...
//	resources:                   # resource name -> resource
//	  images:
//	    description: ...
//	    identity: id             # the field that identifies an object
//	    fields:                  # required; in order: the columns of SELECT *
//	      - {name: id, type: integer, description: ...}
//	      - {name: created_at, format: date-time}  # a string holding an RFC 3339 timestamp
//	      - {name: status, enum: [new, active]}   # the values the API gives
//	      - {name: region, type: object, keys: [slug, name]}  # an object's keys
//	    methods:                 # method name -> method, in order
//	      get:
//	        verb: select         # required: select, insert, update, delete or exec
//	        http: GET /v2/images/{image_id}  # required: METHOD /path
//	        response_key: image  # the body key holding the object(s)
//	        paginated: false     # true: paged as the provider's pagination says
//	        description: ...
//	        params:              # path and query parameters, in order
//	          image_id: {in: path, required: true, type: string, field: id, description: ...}
//	          domain_name: {in: path, parent: {resource: domains.domains, field: name}}
//	        body:                # request body fields, in order
//	          name: {required: true, type: string, description: ...}
//	        headers:             # request headers always sent, name -> text
//	          X-Dangerous: "true"
//	        raw: text            # the body is not JSON: text or base64 (see below)
//
// identity names the field that identifies an object: objects that several
// calls of one statement return (WHERE tag_name IN ('a', 'b')) are one row.
// When it is absent, the field a select method's one required path param
// stands for (field:) is the identity; a resource with neither is deduplicated
// by whole objects.
//
// Types are string (the default), integer, number, boolean, array and
// object. A field may take format: date-time (string fields only): its
// values are RFC 3339 timestamps, which apiql sync stores as timestamptz.
// enum (string, integer and number fields) lists the values the API gives
// the field, and keys (object fields) the keys of its values; both serve
// checks and hints (a string compared with an object column), never
// filter rows.
// A param takes in (path or query; required under params:),
// required, type, enum (not on boolean, array or object), default (the
// value the API assumes when none is sent; documentation only), field (the
// response field it filters on by equality), excludes (the method's other
// params the API refuses in the same request), parent (a path param only:
// the resource of the same provider, as service.resource, and its field
// whose values the param takes; both must exist) and description. A body
// field takes the same keys but field, excludes and parent; its in, when
// written, is body. Every
// placeholder {x} of the path needs a path param x and every path param a
// placeholder; path params are required. A select or delete method cannot
// have required body fields: no statement could set them. headers: are
// sent with every request of the method and printed by --dry-run; their
// names are HTTP header names, their values one line of text, and the
// headers apiql sets itself (Accept, Authorization, Content-Type,
// Content-Length, Host, User-Agent) cannot be declared. raw: (a select
// method's GET only, not paginated, no response_key) says the success body
// is not JSON: the method answers one row whose content field holds the body
// (raw: text, which must be UTF-8, or raw: base64 for bytes such as a PDF,
// standard alphabet, padded) and whose content_type field holds the
// response's Content-Type; the resource declares both fields.
//
// YAML anchors and aliases may share declarations; merge keys (<<) are not
// supported.
//
// # DigitalOcean: generated from its OpenAPI spec
//
// providers/digitalocean/services/*.yaml are generated by `apiql registry
// gen` (package registry/openapigen) from the pinned spec
// openapi/digitalocean/openapi.yaml and the hand-written
// openapi/digitalocean/overrides.yaml; their first line says so, and a test
// fails when they differ from what the generator makes. Only provider.yaml
// is written by hand. The generator names things by these rules, so a name
// can be guessed from the API's documentation:
//
//   - Only paths under /v2 are read (the inference APIs live on other hosts).
//   - Service: the path's first segment after /v2, in snake_case:
//     /v2/load_balancers and /v2/load_balancers/{lb_id}/forwarding_rules are
//     both in digitalocean.load_balancers; /v2/vpc_peerings is vpc_peerings;
//     /v2/gen-ai is gen_ai.
//   - Resource: the path's collection, the last literal segment once the
//     trailing {placeholders} are dropped, in snake_case. /v2/volumes and
//     /v2/volumes/{volume_id} give digitalocean.volumes.volumes;
//     /v2/domains/{domain_name}/records gives digitalocean.domains.records;
//     /v2/kubernetes/clusters/{cluster_id}/node_pools gives
//     digitalocean.kubernetes.node_pools; /v2/account/keys gives
//     digitalocean.account.keys; /v2/account gives digitalocean.account.account.
//     Paths with the same collection name in one service are one resource
//     (/v2/volumes/snapshots/{snapshot_id} and /v2/volumes/{volume_id}/snapshots
//     are digitalocean.volumes.snapshots), unless one resource could not hold
//     them: two of their reads need the same parameters (SELECT could not
//     tell which to call), or a query parameter of the same name takes other
//     values. Those are named by every literal segment after the service's,
//     joined with _: /v2/gen-ai/openai/keys is gen_ai.openai_keys,
//     /v2/gen-ai/anthropic/keys gen_ai.anthropic_keys,
//     /v2/databases/{database_cluster_uuid}/schema-registry/config
//     databases.schema_registry_config.
//   - A path is a collection when the spec reads it with GET or has items
//     below it ({placeholder} after it). A path that is neither (a POST-only
//     /v2/apps/{app_id}/restart) is an action: an EXEC method of the nearest
//     collection above it (digitalocean.apps.apps).
//   - Method: the operation id without its first part, in snake_case, without
//     a trailing _<resource> in plural or singular: domains_list_records is
//     list, domains_get_record get, apps_create_deployment create,
//     databases_list_clusters list_clusters, droplets_destroy_byTag
//     destroy_by_tag. A clash in a resource falls back to the whole operation
//     id in snake_case.
//   - Verb: GET is select; POST to a collection is insert; PUT and PATCH are
//     update; DELETE of an item is delete; actions, and POST or DELETE to
//     anything else, are exec. Every method is also reached by EXEC.
//     Methods are listed by verb (select, insert, update, delete, exec), then
//     by name.
//   - Rows: a response with one array of objects (besides links and meta)
//     is a list, read from that key; so is a GET's with more beside its one
//     array when the array is named as the path's last segment
//     (instance_sizes), when the GET pages (page, per_page), or when all
//     beside it counts (total, count, total_*, *_count, current_page,
//     has_more): {"vector_dbs": [...], "total": 3}; but not when a path
//     parameter is named like a field of the items (it would shadow it).
//     One with one object is a get, read from that key; anything else is
//     one row, the response itself. A list with
//     page and per_page query parameters is paginated (the two are the
//     provider's paging, not params).
//   - Fields: the properties of the rows' schema (allOf merged; oneOf and
//     anyOf combined; nullable columns are simply NULL), a get's first, then
//     the lists'. Types: the schema's; integer or number mixed is number,
//     scalar mixtures string, anything with objects or arrays object. A
//     string property whose schema says format: date-time keeps it.
//   - Identity: the first of the fields id, uuid and slug the rows have;
//     none otherwise (the engine then uses the field a get's path parameter
//     stands for).
//   - Params: path and query parameters, with their types, enums, defaults
//     and descriptions; a query param named like a scalar field filters on
//     it (field:); the resource's own trailing placeholder stands for the
//     field of its name, or the field its last _part names (domain_name:
//     name, droplet_id: id), or id. A placeholder of a collection above
//     (domain_name in /v2/domains/{domain_name}/records) gets parent: that
//     collection's resource and field.
//   - Body: the JSON request body's top-level properties (read-only ones
//     left out), required first by name, then the others in the spec's
//     order; their enums are listed in the description, not enforced.
//   - A GET whose success response is not JSON is a resource of its own
//     (named by its path's last segment: digitalocean.customers.csv,
//     digitalocean.kubernetes.kubeconfig) with fields content and
//     content_type and raw: text for text/*, YAML and XML, base64 otherwise.
//   - Headers: a required header parameter of boolean type (X-Dangerous,
//     the API's acknowledgement of a destructive call) is sent as "true";
//     an operation with any other required header is not mapped.
//   - Descriptions are the spec's, with Markdown's code and emphasis marks
//     dropped.
//
// What the spec says only in prose (filters the API refuses together, a
// param meaning something else than the field of its name, renames where
// a rule gives a bad name, the seed's images resource) is in the overrides
// file, whose every entry is checked to match the spec and to matter.
// `apiql registry coverage` lists the operations not mapped, with the reason.
package registry
