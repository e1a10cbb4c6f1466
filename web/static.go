package web

import (
	"net/http"

	"github.com/oms/oms/static"
)

func httpFS() http.FileSystem { return http.FS(static.FS) }
