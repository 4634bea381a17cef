// Package registry holds apiql's description of cloud APIs: providers, their
// services and resources, each resource's fields and the methods that read or
// change it. The registry is data: the engine and the HTTP runtime act on what
// it declares and never name a provider themselves.
//
// The default registry is embedded in the binary (see Default); Load adds
// provider folders from disk on top of it.
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
//	    methods:                 # method name -> method, in order
//	      get:
//	        verb: select         # required: select, insert, update, delete or exec
//	        http: GET /v2/images/{image_id}  # required: METHOD /path
//	        response_key: image  # the body key holding the object(s)
//	        paginated: false     # true: paged as the provider's pagination says
//	        description: ...
//	        params:              # path and query parameters, in order
//	          image_id: {in: path, required: true, type: string, field: id, description: ...}
//	        body:                # request body fields, in order
//	          name: {required: true, type: string, description: ...}
//
// identity names the field that identifies an object: objects that several
// calls of one statement return (WHERE tag_name IN ('a', 'b')) are one row.
// When it is absent, the field a select method's one required path param
// stands for (field:) is the identity; a resource with neither is deduplicated
// by whole objects.
//
// Types are string (the default), integer, number, boolean, array and
// object. A param takes in (path or query; required under params:),
// required, type, enum (not on boolean, array or object), field (the
// response field it filters on by equality), excludes (the method's other
// params the API refuses in the same request) and description. A body field
// takes the same keys but field and excludes; its in, when written, is body. Every
// placeholder {x} of the path needs a path param x and every path param a
// placeholder; path params are required. A select or delete method cannot
// have required body fields: no statement could set them.
//
// YAML anchors and aliases may share declarations; merge keys (<<) are not
// supported.
package registry
