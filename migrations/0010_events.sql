-- Events, registrations and the CENTR Registrar Day draw (DOMAIN.md section
-- 6). The rules the business depends on are the database's: one live
-- registration per registrar and event (a partial unique index); the seats
-- an event has given, kept by a trigger from its registrations and checked
-- against its capacity (so no code path can oversell, whatever the
-- concurrency); a draw's result, immutable once drawn.

CREATE TABLE events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL CHECK (kind IN ('summit', 'registrar_meeting', 'centr_registrar_day',
                                       'conference', 'training')),
    title text NOT NULL,
    description text,
    location text NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz NOT NULL,
    capacity integer CHECK (capacity > 0),
    registration_opens_at timestamptz,
    registration_closes_at timestamptz,
    eligibility text NOT NULL DEFAULT 'accredited',  -- 'accredited' or a program code
    max_attendees_per_registrar integer NOT NULL DEFAULT 1
        CHECK (max_attendees_per_registrar BETWEEN 1 AND 50),
    waitlist boolean NOT NULL DEFAULT false,
    check_in_closed boolean NOT NULL DEFAULT false,   -- a draw froze its pool
    seats_taken integer NOT NULL DEFAULT 0,            -- registrations_seats() keeps it
    status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'published', 'cancelled', 'closed')),
    sequence integer NOT NULL DEFAULT 0,               -- iCalendar SEQUENCE: edits and actions
    version integer NOT NULL DEFAULT 1,                -- the representation (seats included)
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK (starts_at < ends_at),
    CHECK (registration_opens_at IS NULL OR registration_closes_at IS NULL
           OR registration_opens_at < registration_closes_at),
    CHECK (seats_taken >= 0),
    CHECK (capacity IS NULL OR seats_taken <= capacity)
);
CREATE INDEX events_created ON events (created_at, id);
CREATE INDEX events_starts ON events (starts_at, id);
CREATE INDEX events_updated ON events (updated_at, id);
CREATE TRIGGER events_touch BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

CREATE TABLE registrations (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id uuid NOT NULL REFERENCES events (id),
    registrar_id uuid NOT NULL REFERENCES registrars (id),
    status text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'attended', 'cancelled')),
    attendees jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(attendees) = 'array'),
    seats integer GENERATED ALWAYS AS (jsonb_array_length(attendees)) STORED,
    -- the order of arrival: inserts into one event are serialized by the
    -- event's row lock, so this is the order in which they were accepted
    arrival bigint GENERATED ALWAYS AS IDENTITY,
    covered_expenses boolean NOT NULL DEFAULT false,
    draw_id uuid,
    reason text,
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX registrations_one_live ON registrations (event_id, registrar_id)
    WHERE status IN ('confirmed', 'waitlisted', 'attended');
CREATE INDEX registrations_waitlist ON registrations (event_id, arrival) WHERE status = 'waitlisted';
CREATE INDEX registrations_event_created ON registrations (event_id, created_at, id);
CREATE INDEX registrations_event_updated ON registrations (event_id, updated_at, id);
CREATE INDEX registrations_registrar ON registrations (registrar_id, event_id);
CREATE TRIGGER registrations_touch BEFORE UPDATE ON registrations
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- An event's seats_taken is the attendees of its confirmed and attended
-- registrations; every change of a registration moves it, and the event's
-- CHECK refuses a count over capacity. The event's version moves with it,
-- so its ETag says when its seats changed.
CREATE FUNCTION registrations_seats() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    delta integer := 0;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.event_id <> OLD.event_id THEN
        RAISE EXCEPTION 'a registration never moves to another event';
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('confirmed', 'attended') THEN
        delta := delta - OLD.seats;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('confirmed', 'attended') THEN
        delta := delta + NEW.seats;
    END IF;
    IF delta <> 0 THEN
        UPDATE events SET seats_taken = seats_taken + delta, version = version + 1
         WHERE id = coalesce(NEW.event_id, OLD.event_id);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER registrations_seats AFTER INSERT OR UPDATE OR DELETE ON registrations
    FOR EACH ROW EXECUTE FUNCTION registrations_seats();

CREATE TABLE draws (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    title text NOT NULL,
    source_event_id uuid NOT NULL UNIQUE REFERENCES events (id),
    target_event_id uuid NOT NULL REFERENCES events (id),
    winner_count integer NOT NULL CHECK (winner_count BETWEEN 1 AND 20),
    seed_commitment text NOT NULL CHECK (seed_commitment ~ '^[0-9a-f]{64}$'),
    status text NOT NULL DEFAULT 'committed' CHECK (status IN ('committed', 'frozen', 'drawn')),
    pool uuid[],
    frozen_at timestamptz,
    seed text,
    public_entropy text,
    drawn_at timestamptz,
    draw_order uuid[],
    winners uuid[],
    alternates uuid[],
    declined uuid[] NOT NULL DEFAULT '{}',
    representatives uuid[],
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    status_changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK (source_event_id <> target_event_id)
);
CREATE INDEX draws_created ON draws (created_at, id);
CREATE INDEX draws_updated ON draws (updated_at, id);
CREATE TRIGGER draws_touch BEFORE UPDATE ON draws
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

ALTER TABLE registrations ADD FOREIGN KEY (draw_id) REFERENCES draws (id);

-- What was committed, frozen and drawn never changes: the pool once frozen,
-- the seed, the entropy and the result once drawn.
CREATE FUNCTION draws_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seed_commitment <> OLD.seed_commitment
       OR NEW.source_event_id <> OLD.source_event_id
       OR (OLD.pool IS NOT NULL AND NEW.pool IS DISTINCT FROM OLD.pool)
       OR (OLD.seed IS NOT NULL AND (NEW.seed IS DISTINCT FROM OLD.seed
           OR NEW.public_entropy IS DISTINCT FROM OLD.public_entropy
           OR NEW.draw_order IS DISTINCT FROM OLD.draw_order
           OR NEW.winners IS DISTINCT FROM OLD.winners
           OR NEW.alternates IS DISTINCT FROM OLD.alternates)) THEN
        RAISE EXCEPTION 'a draw''s commitment, pool and result never change';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER draws_immutable BEFORE UPDATE ON draws
    FOR EACH ROW EXECUTE FUNCTION draws_immutable();
