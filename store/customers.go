package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/oms/oms/domain"
)

// CustomerOrdersPerPage is how many orders one page of the customer page lists.
const CustomerOrdersPerPage = 25

// customerActivityOrders is how many of the newest orders the customer
// page's recent activity reads events from: a large account has thousands
// of orders, and their latest events are on the latest orders.
const customerActivityOrders = 50

const customerSummarySelect = `SELECT id, account, name, type, email, phone, credit_status, active,
	credit_limit_cents, credit_limit_cents - open_ar_cents - open_orders_cents FROM customers`

func scanCustomerSummary(row interface{ Scan(...any) error }) (domain.CustomerSummary, error) {
	var c domain.CustomerSummary
	err := row.Scan(&c.ID, &c.Account, &c.Name, &c.Type, &c.Email, &c.Phone, &c.CreditStatus, &c.Active,
		&c.LimitCents, &c.AvailableCents)
	return c, err
}

// CustomerPage is the customer page's data: the customer, one page of
// their orders (every channel) and the recent events of their orders.
type CustomerPage struct {
	Customer domain.Customer
	Orders   []domain.OrderHit
	Page     int
	Pages    int
	Total    int // every order of the customer
	Activity []domain.CustomerEvent
}

// CustomerByAccount reads a customer by account (case-insensitive) with
// ship-tos, contacts, open order value, one page (from 1) of orders and
// recent activity, in one read transaction. It returns ENOTFOUND when there
// is no such customer.
func (db *DB) CustomerByAccount(ctx context.Context, account string, page int) (CustomerPage, error) {
	var p CustomerPage
	err := db.View(ctx, func(tx *sql.Tx) error {
		c, err := customerByAccount(ctx, tx, strings.TrimSpace(account))
		if err != nil {
			return err
		}
		if c.ShipTos, err = shipTos(ctx, tx, c.ID); err != nil {
			return err
		}
		if c.Contacts, err = contacts(ctx, tx, c.ID); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(total_cents), 0) FROM orders
			WHERE customer_id = ? AND `+openOrderSQL, c.ID).Scan(&c.OpenOrders, &c.OpenOrderCents); err != nil {
			return fmt.Errorf("sum open orders: %w", err)
		}
		p.Customer = c
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM orders WHERE customer_id = ?`, c.ID).Scan(&p.Total); err != nil {
			return fmt.Errorf("count orders: %w", err)
		}
		p.Pages = max(1, (p.Total+CustomerOrdersPerPage-1)/CustomerOrdersPerPage)
		p.Page = min(max(page, 1), p.Pages)
		rows, err := tx.QueryContext(ctx, hitSelect+`, 0 FROM orders o JOIN customers c ON c.id = o.customer_id
			WHERE o.customer_id = ? ORDER BY o.created_at DESC, o.id DESC LIMIT ? OFFSET ?`,
			c.ID, CustomerOrdersPerPage, (p.Page-1)*CustomerOrdersPerPage)
		if err != nil {
			return fmt.Errorf("read customer orders: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			h, _, err := scanHit(rows)
			if err != nil {
				return err
			}
			p.Orders = append(p.Orders, h)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		p.Activity, err = customerActivity(ctx, tx, c.ID, 20)
		return err
	})
	return p, err
}

func customerByAccount(ctx context.Context, tx *sql.Tx, account string) (domain.Customer, error) {
	var c domain.Customer
	var created string
	err := tx.QueryRowContext(ctx, `SELECT id, account, name, type, email, phone, credit_status, active,
		credit_limit_cents, open_ar_cents, price_level, ship_complete, backorder_policy, created_at
		FROM customers WHERE account = ?`, account).Scan(
		&c.ID, &c.Account, &c.Name, &c.Type, &c.Email, &c.Phone, &c.CreditStatus, &c.Active,
		&c.CreditLimitCents, &c.OpenARCents, &c.PriceLevel, &c.ShipComplete, &c.BackorderPolicy, &created)
	if errNoRows(err) {
		return c, domain.Errorf(domain.ENOTFOUND, "There is no customer with account %s.", account)
	} else if err != nil {
		return c, fmt.Errorf("read customer: %w", err)
	}
	c.CreatedAt = ParseTime(created)
	return c, nil
}

func shipTos(ctx context.Context, tx *sql.Tx, customerID int64) ([]domain.ShipTo, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, code, name, line1, line2, city, region, postal_code, country, is_default, active
		FROM ship_tos WHERE customer_id = ? ORDER BY is_default DESC, code`, customerID)
	if err != nil {
		return nil, fmt.Errorf("read ship-tos: %w", err)
	}
	defer rows.Close()
	var out []domain.ShipTo
	for rows.Next() {
		var s domain.ShipTo
		a := &s.Address
		if err := rows.Scan(&s.ID, &s.Code, &a.Name, &a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode, &a.Country, &s.IsDefault, &s.Active); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func contacts(ctx context.Context, tx *sql.Tx, customerID int64) ([]domain.Contact, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, name, email, phone, role FROM customer_contacts WHERE customer_id = ? ORDER BY name`, customerID)
	if err != nil {
		return nil, fmt.Errorf("read contacts: %w", err)
	}
	defer rows.Close()
	var out []domain.Contact
	for rows.Next() {
		var c domain.Contact
		if err := rows.Scan(&c.ID, &c.Name, &c.Email, &c.Phone, &c.Role); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// customerActivity reads the newest events of the customer's newest orders.
func customerActivity(ctx context.Context, tx *sql.Tx, customerID int64, limit int) ([]domain.CustomerEvent, error) {
	rows, err := tx.QueryContext(ctx, `SELECT e.id, e.kind, e.actor, e.at, e.summary, e.before, e.after, o.number
		FROM events e JOIN orders o ON o.id = e.order_id
		WHERE e.order_id IN (SELECT id FROM orders WHERE customer_id = ? ORDER BY created_at DESC LIMIT ?)
		ORDER BY e.at DESC, e.id DESC LIMIT ?`, customerID, customerActivityOrders, limit)
	if err != nil {
		return nil, fmt.Errorf("read customer activity: %w", err)
	}
	defer rows.Close()
	var out []domain.CustomerEvent
	for rows.Next() {
		var e domain.CustomerEvent
		var at string
		if err := rows.Scan(&e.ID, &e.Kind, &e.Actor, &at, &e.Summary, &e.Before, &e.After, &e.OrderNumber); err != nil {
			return nil, err
		}
		e.At = ParseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
