package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/oms/oms/domain"
	"github.com/oms/oms/store"
)

// addUser is `oms user`: it creates a user, which is how the first admin of
// a database without demo data gets in. The password is read from the first
// line of stdin so that it stays out of the shell history and process list.
func addUser(args []string, stdin io.Reader) error {
	fs := flag.NewFlagSet("user", flag.ExitOnError)
	dbPath := fs.String("db", env("OMS_DB", "data/oms.db"), "database file (OMS_DB)")
	email := fs.String("email", "", "e-mail address to sign in with")
	name := fs.String("name", "", "the person's name")
	role := fs.String("role", "admin", "csr, sales, ops or admin")
	fs.Parse(args)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		return fmt.Errorf("read password from stdin: %w", err)
	}
	db, err := openStore(*dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.CreateUser(context.Background(), store.NewUser{Email: *email, Name: *name, Role: domain.Role(*role),
		Password: strings.TrimRight(line, "\r\n")})
	if err != nil {
		if f := domain.ErrorFields(err); len(f) > 0 {
			var parts []string
			for k, v := range f {
				parts = append(parts, k+" "+v)
			}
			return fmt.Errorf("%s (%s)", domain.ErrorMessage(err), strings.Join(parts, "; "))
		}
		return err
	}
	fmt.Printf("created %s (%s) as %s\n", u.Email, u.Name, u.Role.Label())
	return nil
}
