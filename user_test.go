package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oms/oms/store"
)

func TestAddUser(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oms.db")
	args := []string{"--db", path, "--email", "boss@example.com", "--name", "Pat Boss", "--role", "admin"}
	t.Run("OK", func(t *testing.T) {
		if err := addUser(args, strings.NewReader("s3cret-pass\n")); err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		users, err := db.Users(context.Background())
		if err != nil || len(users) != 1 || users[0].Role != "admin" {
			t.Fatalf("users %v err %v", users, err)
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		if err := addUser(args, strings.NewReader("s3cret-pass\n")); err == nil || !strings.Contains(err.Error(), "already") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("ErrWeakPassword", func(t *testing.T) {
		err := addUser([]string{"--db", path, "--email", "x@example.com", "--name", "X"}, strings.NewReader("short\n"))
		if err == nil || !strings.Contains(err.Error(), "password must be at least 8") {
			t.Fatalf("err %v", err)
		}
	})
}
