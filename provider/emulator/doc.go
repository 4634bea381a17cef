// Package emulator is an in-memory, concurrency-safe emulator of the
// DigitalOcean API v2: every resource of apiql's registry. Images (the
// contract in docs/digitalocean-images-api.md), regions, snapshots, droplets
// and sizes have hand-made handlers; every other resource is served from the
// registry and DigitalOcean's OpenAPI spec (see "Everything else" below).
// Tests, benchmarks and apiql's --sandbox mode talk to it instead of
// https://api.digitalocean.com.
//
// A Server is an http.Handler; mount it on an httptest.Server, or run it
// standalone with ListenAndServe. Its data is a deterministic function of
// Options.Images and Options.Seed, so outputs are reproducible.
//
// # Endpoints
//
//	GET    /v2/images                 list (type, private, tag_name, page, per_page)
//	POST   /v2/images                 create a custom image (202)
//	GET    /v2/images/{id|slug}       get by integer id, or by slug (public images only)
//	PUT    /v2/images/{id}            update name (and description, distribution for custom images)
//	DELETE /v2/images/{id}            delete a snapshot or custom image (204)
//	POST   /v2/images/{id}/actions    transfer or convert (201)
//	GET    /v2/regions                list
//	GET    /v2/snapshots              list (resource_type, page, per_page)
//	GET    /v2/snapshots/{id}         get
//	DELETE /v2/snapshots/{id}         delete (204)
//	GET    /v2/droplets               list (tag_name, name, page, per_page)
//	POST   /v2/droplets               create one (name) or many (names) (202)
//	DELETE /v2/droplets?tag_name=     delete the Droplets carrying a tag (204)
//	GET    /v2/droplets/{id}          get
//	DELETE /v2/droplets/{id}          delete (204)
//	GET    /v2/sizes                  list, with DigitalOcean's published prices
//
// Every other route is a method of the registry's digitalocean provider
// (Options.Registry); a path no method has answers 404 not_found.
//
// # Everything else
//
// specdata.jsonl, generated from the pinned spec by go generate (see
// internal/specgen) and embedded, holds every /v2 operation's success status
// and an example answer: the spec's example, or one made from the response
// schema. It is indexed at the first request for such a resource, never at
// start-up. A GET method whose answer is an array under its response key is
// a collection, held per concrete path (the records of each domain apart),
// made on first use from the example's items:
//
//   - GET of the collection lists it, filtered by the method's query
//     parameters that name a field of the items (an object field such as
//     region by its slug), paged like the images when the method pages,
//     answered with links and meta; a list whose spec answer has other keys
//     beside its array ({"vector_dbs": [...], "total": 3}) is answered with
//     exactly the spec's keys, those that count (total, count, total_items,
//     total_pages, current_page, meta, links) made true.
//   - GET, PUT or PATCH, DELETE of collection/{x}: the item whose id, uuid,
//     name, slug, ip, fingerprint, urn or key (the parameter's field first)
//     is x, or 404. An update replaces the fields the item has; a delete
//     answers the spec's status (204).
//   - POST to the collection: the method's required body fields are checked
//     (422), then a new item is the spec's answer to the create with the
//     request's fields that it has, a new id of the same kind (integer,
//     UUID, or the name) and created_at the request's time; answered with
//     the spec's status (201, 202).
//   - Any other route (a singleton such as /v2/account, an action) answers
//     the spec's example with its status.
//
// Every parameter on the way that names an item of a collection must name
// an existing one (404 otherwise): /v2/domains/nope/records is 404.
//
// The account around the Droplets is made by the seed, not taken from the
// examples: volumes (three attached to no Droplet, one of them the volume the
// volume snapshots were taken from), reserved IPs (two assigned to nothing),
// load balancers (two with no Droplets), firewalls (two on no Droplet and no
// tag a Droplet carries) and two projects with their resources (the
// production project holds what is tagged prod), each the spec's example
// object with the account's values. Droplets list their volume_ids.
// /v2/floating_ips serves the reserved IPs (the same addresses under the
// older name); /v2/volumes/{id}/snapshots lists and creates the volume
// snapshots of /v2/snapshots taken from that volume.
//
// # Every response
//
// Every response, errors and 204s included, carries ratelimit-limit (5000),
// ratelimit-remaining (5000 minus the number of requests the server has
// received, floor 0; it is informational: the emulator never answers 429 on its
// own, only through Faults), ratelimit-reset (Options.Now plus one hour, as a
// Unix epoch) and x-request-id (deterministic in Options.Seed and the request's
// arrival number). Bodies are JSON with Content-Type application/json; a 204
// has no body and no Content-Type. Error bodies are
// {"id": ..., "message": ..., "request_id": ...} with the contract's ids.
//
// Requests are handled in this order: the request is logged, the latency
// (Options.Latency plus Faults.Latency) is slept, the bearer token is checked
// (401), injected faults are applied (429 before 500), then the request is
// routed. A request whose context ends while sleeping gets no answer and keeps
// Status 0 in the log.
//
// # Choices where the contract is silent
//
//   - Pagination: page defaults to 1 and per_page to 20 when absent,
//     non-numeric or below 1; per_page above 200 is clamped to 200. Links are
//     absolute, built from the request's own scheme and Host, and carry the
//     endpoint's filter parameters (as sent, when non-empty), the effective
//     per_page and the page. first/prev appear after page 1 (prev is page-1,
//     also beyond the last page), next/last before the last page; a single page
//     gives "links": {"pages": {}}. A page beyond the last has an empty array.
//   - GET /v2/images: type other than distribution or application, or a
//     private value strconv.ParseBool rejects, answers 400 bad_request. The
//     distribution family is the public images of type base; the application
//     family is the public images of type snapshot. Filters combine with AND.
//   - POST /v2/images: name, url and region are required (422 naming every
//     missing or blank one); url must be an absolute http or https URL and
//     region an available region slug (422 otherwise). distribution is kept
//     only when it is exactly one of the contract's values, else "Unknown"
//     (also when absent). Absent or null tags become []. Unknown keys are
//     ignored. A body that is not a JSON object answers 400. The import never
//     finishes: the image stays status "NEW" with regions [].
//   - PUT /v2/images/{id}: a non-integer id answers 404 (slugs are for GET
//     only). Every body field is optional; a present, blank name answers 422.
//     description and distribution are applied to custom images and silently
//     ignored for others. Public images cannot be changed: 422.
//   - DELETE /v2/images/{id}: a non-integer id answers 404; public images and
//     backups answer 422 unprocessable_entity (the contract allows deleting
//     snapshots and custom images only).
//   - POST /v2/images/{id}/actions: actions complete at once (status
//     "completed"). transfer needs an available region and a private,
//     available image, and adds the region; convert turns a backup into a
//     snapshot. Anything else answers 422.
//   - Snapshots: droplet snapshots are exactly the private images of type
//     snapshot (id is the image id as a string, resource_id the Droplet it was
//     taken from, which may no longer exist); deleting one deletes the image.
//     Lists put droplet snapshots first (by image id), then volume snapshots
//     (by id). resource_type other than droplet or volume answers 400. GET
//     or DELETE of the id of an image, Droplet or volume that is not a
//     snapshot answers the spec's 400 "the resource is not a snapshot".
//   - Droplets carry every field of the spec's droplet schema: memory,
//     vcpus, disk and disk_info are their size's; one private (VPC) and one
//     public IPv4 interface, IPv6 for about half; backups enabled (features
//     "backups", a next_backup_window the day after Options.Now) for those
//     with backups and a few more; kernel null; vpc_uuid the region's
//     default VPC.
//   - created_at of created images and started_at of actions are the time
//     of the request (Options.Clock).
//   - POST /v2/droplets: size and image (an id or a public image's slug, of
//     an available image) are required, and name or names (422 otherwise);
//     region defaults to the first available one. New Droplets have status
//     "new" and stay so. Deleting Droplets keeps their snapshots and backups
//     and detaches them from volumes, reserved IPs, load balancers and
//     firewalls.
//   - Droplets: a droplet's image is the current image object when the image
//     still exists, else the object as it was when the droplet was created.
//     snapshot_ids and backup_ids list the existing snapshots and backups
//     taken from the droplet. The name filter matches the whole name,
//     case-insensitively, as DigitalOcean documents it.
//   - The 403 forbidden error of the contract is never produced.
package emulator
