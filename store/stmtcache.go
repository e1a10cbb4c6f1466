package store

import (
	"context"
	"database/sql/driver"
	"errors"

	"modernc.org/sqlite"
)

// maxCachedStatements bounds each connection's statement cache; queries
// built with a varying number of placeholders would otherwise grow it
// without end.
const maxCachedStatements = 512

// stmtCacheConnector opens SQLite connections that keep their prepared
// statements. The driver prepares (parses and plans) every statement anew on
// each call, which was a third of the CPU of capturing an order; with the
// cache, a statement is prepared once per connection and reset for reuse.
type stmtCacheConnector struct {
	dsn string
	drv *sqlite.Driver
}

func newStmtCacheConnector(dsn string) driver.Connector {
	return stmtCacheConnector{dsn: dsn, drv: &sqlite.Driver{}}
}

// Connect opens one connection.
func (c stmtCacheConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &stmtCacheConn{conn: conn, stmts: map[string]*cachedStmt{}}, nil
}

// Driver returns the underlying driver.
func (c stmtCacheConnector) Driver() driver.Driver { return c.drv }

// stmtCacheConn is a connection with a statement cache. It offers no
// ExecContext or QueryContext of its own, so database/sql prepares every
// statement through PrepareContext, which answers from the cache. Like any
// driver connection it is used by one goroutine at a time.
type stmtCacheConn struct {
	conn  driver.Conn
	stmts map[string]*cachedStmt
}

var (
	_ driver.ConnPrepareContext = (*stmtCacheConn)(nil)
	_ driver.ConnBeginTx        = (*stmtCacheConn)(nil)
	_ driver.SessionResetter    = (*stmtCacheConn)(nil)
	_ driver.Validator          = (*stmtCacheConn)(nil)
	_ driver.Pinger             = (*stmtCacheConn)(nil)
)

// Prepare prepares a statement.
func (c *stmtCacheConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

// PrepareContext returns the cached statement for query when it is not in
// use (a statement whose rows are still open is), else prepares one.
func (c *stmtCacheConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if s, ok := c.stmts[query]; ok && !s.busy {
		s.busy = true
		return s, nil
	}
	ds, err := c.conn.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s := &cachedStmt{Stmt: ds, busy: true}
	if _, ok := c.stmts[query]; !ok && len(c.stmts) < maxCachedStatements {
		s.cached = true
		c.stmts[query] = s
	}
	return s, nil
}

// Close finalizes the cached statements and closes the connection.
func (c *stmtCacheConn) Close() error {
	var errs []error
	for q, s := range c.stmts {
		errs = append(errs, s.Stmt.Close())
		delete(c.stmts, q)
	}
	return errors.Join(append(errs, c.conn.Close())...)
}

// Begin starts a transaction.
func (c *stmtCacheConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

// BeginTx starts a transaction.
func (c *stmtCacheConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.conn.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

// ResetSession is called before the pool reuses the connection.
func (c *stmtCacheConn) ResetSession(ctx context.Context) error {
	if r, ok := c.conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

// IsValid reports whether the pool may reuse the connection.
func (c *stmtCacheConn) IsValid() bool {
	if v, ok := c.conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

// Ping checks the connection.
func (c *stmtCacheConn) Ping(ctx context.Context) error {
	if p, ok := c.conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

// CheckNamedValue lets the driver convert arguments as it would without
// the cache.
func (c *stmtCacheConn) CheckNamedValue(nv *driver.NamedValue) error {
	if x, ok := c.conn.(driver.NamedValueChecker); ok {
		return x.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// cachedStmt is a prepared statement that survives Close when it is in the
// cache: database/sql closes it after each use (for queries, when the rows
// close), which here only marks it free.
type cachedStmt struct {
	driver.Stmt
	busy   bool
	cached bool
}

// Close frees a cached statement for reuse, or finalizes an uncached one.
func (s *cachedStmt) Close() error {
	s.busy = false
	if s.cached {
		return nil
	}
	return s.Stmt.Close()
}

// ExecContext executes the statement.
func (s *cachedStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	return s.Stmt.(driver.StmtExecContext).ExecContext(ctx, args)
}

// QueryContext runs the statement's query.
func (s *cachedStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return s.Stmt.(driver.StmtQueryContext).QueryContext(ctx, args)
}
