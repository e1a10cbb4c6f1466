-- Manual reroute (moves, splits, consolidations) and recalls of released
-- shipments. The group's status stays within its CHECK (planned, released,
-- shipped, cancelled): a recall is a request on a released group that the
-- WMS confirms (the group goes back to planned and the recorded moves are
-- applied) or refuses (it already shipped), so it is kept beside the status.
ALTER TABLE fulfilment_groups ADD COLUMN recall_requested_at TEXT;
ALTER TABLE fulfilment_groups ADD COLUMN recall_requested_by TEXT NOT NULL DEFAULT '';
-- The moves to apply once the WMS confirms, as JSON (package sourcing, Move).
ALTER TABLE fulfilment_groups ADD COLUMN recall_moves TEXT NOT NULL DEFAULT '';
ALTER TABLE fulfilment_groups ADD COLUMN recall_refused_at TEXT;
ALTER TABLE fulfilment_groups ADD COLUMN recall_note TEXT NOT NULL DEFAULT '';

-- The plan (sourcing trace) each group was made under, so the order page can
-- say why each shipment ships from where it does, not only the newest plan.
ALTER TABLE fulfilment_groups ADD COLUMN trace_id INTEGER REFERENCES sourcing_traces (id);
-- Groups written before this column read the newest trace at or before
-- their creation instead (no back-fill: it would rewrite every group of a
-- large database at start).
