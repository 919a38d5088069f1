import GRDB

extension SQLiteStore {
    /// Named, versioned migrations; each runs once, in order. Never edit a shipped migration:
    /// add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-core-model") { db in
            try db.execute(
                sql: """
                    CREATE TABLE customers (
                        id TEXT PRIMARY KEY NOT NULL,
                        name TEXT,
                        attributes TEXT,
                        vip_level INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        merged_into TEXT
                    );
                    CREATE TABLE handles (
                        kind TEXT NOT NULL,
                        value TEXT NOT NULL,
                        customer_id TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (kind, value)
                    ) WITHOUT ROWID;
                    CREATE INDEX handles_customer ON handles(customer_id);

                    CREATE TABLE conversations (
                        number INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        status TEXT NOT NULL,
                        channel_id TEXT NOT NULL,
                        channel_kind TEXT NOT NULL,
                        customer_id TEXT NOT NULL,
                        handle_kind TEXT NOT NULL,
                        handle_value TEXT NOT NULL,
                        assignee TEXT,
                        group_name TEXT,
                        priority INTEGER NOT NULL DEFAULT 0,
                        routing TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        last_activity_at INTEGER NOT NULL
                    );
                    CREATE INDEX conversations_customer_channel ON conversations(customer_id, channel_id, number);
                    CREATE INDEX conversations_status ON conversations(status, number);
                    CREATE INDEX conversations_channel ON conversations(channel_id, number);

                    CREATE TABLE messages (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        conversation_id TEXT NOT NULL,
                        channel_id TEXT NOT NULL,
                        external_id TEXT,
                        direction TEXT NOT NULL,
                        author TEXT,
                        text TEXT,
                        html TEXT,
                        parts TEXT,
                        attachments TEXT,
                        routing TEXT,
                        occurred_at INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        delivery_state TEXT,
                        delivery_error TEXT
                    );
                    CREATE UNIQUE INDEX messages_external ON messages(channel_id, external_id)
                        WHERE external_id IS NOT NULL;
                    CREATE INDEX messages_conversation ON messages(conversation_id, seq);

                    CREATE TABLE raw_payloads (
                        message_id TEXT PRIMARY KEY NOT NULL,
                        content_type TEXT NOT NULL,
                        body BLOB NOT NULL
                    );

                    CREATE TABLE blobs (
                        sha256 TEXT PRIMARY KEY NOT NULL,
                        size INTEGER NOT NULL,
                        created_at INTEGER NOT NULL
                    ) WITHOUT ROWID;

                    CREATE TABLE ratings (
                        id TEXT PRIMARY KEY NOT NULL,
                        channel_id TEXT NOT NULL,
                        external_id TEXT NOT NULL,
                        conversation_id TEXT NOT NULL,
                        customer_id TEXT NOT NULL,
                        agent TEXT,
                        score INTEGER NOT NULL,
                        comment TEXT,
                        created_at INTEGER NOT NULL,
                        UNIQUE (channel_id, external_id)
                    );
                    CREATE INDEX ratings_customer_agent ON ratings(customer_id, agent);

                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        topic TEXT NOT NULL,
                        state TEXT NOT NULL,
                        channel_id TEXT,
                        conversation_id TEXT,
                        message_id TEXT,
                        payload TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at INTEGER,
                        last_error TEXT,
                        created_at INTEGER NOT NULL,
                        finished_at INTEGER
                    );
                    CREATE INDEX outbox_pending ON outbox(next_attempt_at) WHERE state = 'pending';

                    CREATE TABLE api_tokens (
                        id TEXT PRIMARY KEY NOT NULL,
                        hash TEXT NOT NULL UNIQUE,
                        scope TEXT NOT NULL,
                        name TEXT,
                        created_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    );
                    """)
        }
        migrator.registerMigration("v2-routing") { db in
            try db.execute(
                sql: """
                    CREATE TABLE routing_agents (
                        id TEXT PRIMARY KEY NOT NULL,
                        definition TEXT NOT NULL,
                        presence TEXT NOT NULL DEFAULT 'offline',
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE routing_groups (
                        id TEXT PRIMARY KEY NOT NULL,
                        definition TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    -- Where each open conversation stands in routing: the durable form of the
                    -- in-memory queues and assignments.
                    CREATE TABLE routing_entries (
                        conversation_id TEXT PRIMARY KEY NOT NULL,
                        state TEXT NOT NULL,
                        group_id TEXT NOT NULL,
                        agent_id TEXT,
                        level INTEGER NOT NULL,
                        sequence INTEGER NOT NULL,
                        request TEXT NOT NULL,
                        since INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE routing_decisions (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        conversation_id TEXT NOT NULL,
                        customer_id TEXT NOT NULL,
                        outcome TEXT NOT NULL,
                        agent_id TEXT,
                        decision TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX routing_decisions_conversation ON routing_decisions(conversation_id, id);
                    CREATE INDEX routing_decisions_customer ON routing_decisions(customer_id, id)
                        WHERE outcome = 'assigned';
                    CREATE INDEX routing_decisions_day ON routing_decisions(created_at) WHERE outcome = 'assigned';
                    CREATE TABLE routing_rules (
                        position INTEGER PRIMARY KEY NOT NULL,
                        rule TEXT NOT NULL
                    );
                    CREATE TABLE consumer_positions (
                        consumer TEXT PRIMARY KEY NOT NULL,
                        position INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX ratings_customer_score ON ratings(customer_id, score);
                    """)
        }
        migrator.registerMigration("v3-knowledge-base") { db in
            try db.execute(
                sql: """
                    CREATE TABLE kb_articles (
                        id TEXT PRIMARY KEY NOT NULL,
                        title TEXT NOT NULL,
                        body TEXT NOT NULL,
                        keywords TEXT NOT NULL,
                        category TEXT,
                        updated_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX kb_articles_category ON kb_articles(category, id);
                    -- Tokens come pre-split by SearchText (CJK bigrams, lower-cased words), so the
                    -- unicode61 tokenizer only splits on the spaces between them.
                    CREATE VIRTUAL TABLE kb_index USING fts5(article_id UNINDEXED, tokens, tokenize = 'unicode61');
                    """)
        }
        migrator.registerMigration("v4-pull-channels") { db in
            try db.execute(
                sql: """
                    -- Where each pull channel (IMAP folder, CDR directory) has got to; advanced in
                    -- the transaction of the contact that got it there.
                    CREATE TABLE channel_checkpoints (
                        channel_id TEXT NOT NULL,
                        scope TEXT NOT NULL,
                        value TEXT NOT NULL,
                        updated_at INTEGER NOT NULL,
                        PRIMARY KEY (channel_id, scope)
                    ) WITHOUT ROWID;
                    -- Contacts kept without opening a conversation: auto-replies, bounces, list
                    -- mail, our own mail, oversize and unreadable messages.
                    CREATE TABLE recorded_contacts (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        channel_id TEXT NOT NULL,
                        external_id TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        detail TEXT NOT NULL,
                        sender_kind TEXT,
                        sender_value TEXT,
                        summary TEXT,
                        related_message_id TEXT,
                        occurred_at INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        UNIQUE (channel_id, external_id)
                    );
                    CREATE INDEX recorded_contacts_related ON recorded_contacts(related_message_id)
                        WHERE related_message_id IS NOT NULL;
                    """)
        }
        migrator.registerMigration("v5-tickets") { db in
            try db.execute(
                sql: """
                    -- The ticket itself is the JSON body; the columns are what lists filter and sort on.
                    CREATE TABLE tickets (
                        number INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        version INTEGER NOT NULL,
                        state TEXT NOT NULL,
                        priority TEXT NOT NULL,
                        group_name TEXT,
                        assignee TEXT,
                        customer_id TEXT,
                        breached INTEGER NOT NULL DEFAULT 0,
                        first_response_due_at INTEGER,
                        resolution_due_at INTEGER,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        body TEXT NOT NULL
                    );
                    CREATE INDEX tickets_state ON tickets(state, number);
                    CREATE INDEX tickets_group ON tickets(group_name, state, number);
                    CREATE INDEX tickets_assignee ON tickets(assignee, state, number);
                    CREATE INDEX tickets_customer ON tickets(customer_id, number);
                    CREATE TABLE ticket_conversations (
                        conversation_id TEXT NOT NULL,
                        ticket_number INTEGER NOT NULL,
                        PRIMARY KEY (conversation_id, ticket_number)
                    ) WITHOUT ROWID;
                    -- The audit trail: every change of every ticket, never updated.
                    CREATE TABLE ticket_history (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        ticket_number INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        changes TEXT,
                        note TEXT,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX ticket_history_ticket ON ticket_history(ticket_number, id);
                    CREATE TABLE ticket_comments (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        ticket_number INTEGER NOT NULL,
                        author TEXT NOT NULL,
                        text TEXT NOT NULL,
                        public INTEGER NOT NULL,
                        message_id TEXT,
                        created_at INTEGER NOT NULL
                    );
                    CREATE INDEX ticket_comments_ticket ON ticket_comments(ticket_number, seq);
                    -- The SLA timer index: one row per mark still to fire, found by due time.
                    CREATE TABLE sla_timers (
                        ticket_number INTEGER NOT NULL,
                        mark TEXT NOT NULL,
                        due_at INTEGER NOT NULL,
                        PRIMARY KEY (ticket_number, mark)
                    ) WITHOUT ROWID;
                    CREATE INDEX sla_timers_due ON sla_timers(due_at);
                    CREATE TABLE ticket_types (
                        name TEXT PRIMARY KEY NOT NULL,
                        definition TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE ticket_rules (
                        position INTEGER PRIMARY KEY NOT NULL,
                        rule TEXT NOT NULL
                    );
                    CREATE INDEX outbox_bot_failures ON outbox(conversation_id) WHERE topic = 'bot.failed';
                    CREATE INDEX outbox_webhooks ON outbox(next_attempt_at) WHERE state = 'pending' AND topic = 'webhook.deliver';
                    """)
        }
        return migrator
    }
}
