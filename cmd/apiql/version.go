package main

import "github.com/apiql/apiql/provider"

// version is apiql's version; the User-Agent header carries it too.
var version = provider.Version
