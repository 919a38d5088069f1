/*
 * The storage floor of durable web chat ingest: the SQL that SQLiteStore.ingest runs for each new
 * contact (SwitchboardStoreSQLite/SQLiteStore+Ingest.swift), issued from C with prepared statements
 * against the gateway's own schema, in transactions of a fixed size, synchronous=FULL in WAL mode.
 * No HTTP, no JSON, no Swift, no GRDB: what is left is SQLite's and the disk's share, the most any
 * gateway built on this schema could ingest on this machine. Keep the statements in step with
 * SQLiteStore.ingest when it changes.
 *
 *   store_floor DB_PATH CONTACTS BATCH [PREFIX]
 *
 * DB_PATH must already hold the schema (`switchboard migrate`). Ids follow sbload's pattern
 * ("PREFIX-N" messages from visitor "PREFIX-vN", a new visitor per message), so index locality
 * matches the HTTP benchmark. Prints one JSON line: contacts/s, wall and CPU microseconds per contact.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double wall(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double cpu(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static sqlite3 *db;

static void fail(const char *what) {
    fprintf(stderr, "store_floor: %s: %s\n", what, sqlite3_errmsg(db));
    exit(1);
}

static sqlite3_stmt *prepare(const char *sql) {
    sqlite3_stmt *statement;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL) != SQLITE_OK) fail(sql);
    return statement;
}

static void text(sqlite3_stmt *statement, int index, const char *value) {
    if (sqlite3_bind_text(statement, index, value, -1, SQLITE_TRANSIENT) != SQLITE_OK) fail("bind");
}

static void number(sqlite3_stmt *statement, int index, long long value) {
    if (sqlite3_bind_int64(statement, index, value) != SQLITE_OK) fail("bind");
}

/* Runs a statement to completion; returns whether it produced a row. */
static int run(sqlite3_stmt *statement) {
    int rc, row = 0;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) row = 1;
    if (rc != SQLITE_DONE) fail(sqlite3_sql(statement));
    sqlite3_reset(statement);
    return row;
}

static void exec(const char *sql) {
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) fail(sql);
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: store_floor DB_PATH CONTACTS BATCH [PREFIX]\n");
        return 2;
    }
    long contacts = atol(argv[2]), batch = atol(argv[3]);
    const char *prefix = argc > 4 ? argv[4] : "floor";
    if (contacts <= 0 || batch <= 0) return 2;
    if (sqlite3_open(argv[1], &db) != SQLITE_OK) fail("open");
    exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON");

    sqlite3_stmt *dedupe = prepare(
        "SELECT m.id, m.conversation_id, c.number, c.customer_id FROM messages m "
        "JOIN conversations c ON c.id = m.conversation_id WHERE m.channel_id = ? AND m.external_id = ?");
    sqlite3_stmt *handle = prepare("SELECT customer_id FROM handles WHERE kind = ? AND value = ?");
    sqlite3_stmt *customer = prepare(
        "INSERT INTO customers (id, name, attributes, vip_level, created_at, updated_at) VALUES (?, NULL, NULL, 0, ?, ?)");
    sqlite3_stmt *newHandle = prepare("INSERT INTO handles (kind, value, customer_id, created_at) VALUES (?, ?, ?, ?)");
    sqlite3_stmt *latest = prepare(
        "SELECT id, number, status, last_activity_at FROM conversations "
        "WHERE customer_id = ? AND channel_id = ? ORDER BY number DESC LIMIT 1");
    sqlite3_stmt *conversation = prepare(
        "INSERT INTO conversations (id, status, channel_id, channel_kind, customer_id, handle_kind, handle_value, "
        "priority, routing, created_at, updated_at, last_activity_at) "
        "VALUES (?, 'queued', 'web', 'webchat', ?, 'webchat', ?, 0, NULL, ?, ?, ?)");
    sqlite3_stmt *message = prepare(
        "INSERT INTO messages (id, conversation_id, channel_id, external_id, direction, author, text, html, parts, "
        "attachments, routing, occurred_at, created_at) "
        "VALUES (?, ?, 'web', ?, 'inbound', ?, ?, NULL, NULL, NULL, NULL, ?, ?)");
    sqlite3_stmt *raw = prepare("INSERT INTO raw_payloads (message_id, content_type, body) VALUES (?, 'application/json', ?)");
    sqlite3_stmt *event = prepare(
        "INSERT INTO outbox (topic, state, channel_id, conversation_id, message_id, payload, created_at) "
        "VALUES ('contact.ingested', 'event', 'web', ?, ?, ?, ?)");

    char external[96], visitor[96], sender[128], customerID[64], conversationID[64], messageID[64];
    char author[160], body[512], textValue[96], payload[320];
    long long now = (long long)time(NULL) * 1000;
    double startWall = wall(), startCPU = cpu();
    for (long first = 0; first < contacts; first += batch) {
        exec("BEGIN IMMEDIATE");
        for (long n = first; n < first + batch && n < contacts; n++) {
            snprintf(external, sizeof external, "%s-%ld", prefix, n);
            snprintf(visitor, sizeof visitor, "%s-v%ld", prefix, n % 100000);
            snprintf(sender, sizeof sender, "web/%s", visitor);
            snprintf(author, sizeof author, "webchat:%s", sender);
            text(dedupe, 1, "web");
            text(dedupe, 2, external);
            if (run(dedupe)) continue;
            text(handle, 1, "webchat");
            text(handle, 2, sender);
            /* Time-ordered ids shaped like the gateway's UUIDv7s: ascending within the run. */
            unsigned long long order = (unsigned long long)now * 4096 + (unsigned long long)n;
            snprintf(customerID, sizeof customerID, "%08llx-%04llx-7000-8000-00000000000c", order >> 16, order & 0xffff);
            snprintf(conversationID, sizeof conversationID, "%08llx-%04llx-7000-8000-00000000000b", order >> 16, order & 0xffff);
            snprintf(messageID, sizeof messageID, "%08llx-%04llx-7000-8000-00000000000a", order >> 16, order & 0xffff);
            if (!run(handle)) {
                text(customer, 1, customerID);
                number(customer, 2, now);
                number(customer, 3, now);
                run(customer);
                text(newHandle, 1, "webchat");
                text(newHandle, 2, sender);
                text(newHandle, 3, customerID);
                number(newHandle, 4, now);
                run(newHandle);
            }
            text(latest, 1, customerID);
            text(latest, 2, "web");
            run(latest);
            text(conversation, 1, conversationID);
            text(conversation, 2, customerID);
            text(conversation, 3, sender);
            for (int i = 4; i <= 6; i++) number(conversation, i, now);
            run(conversation);
            snprintf(textValue, sizeof textValue, "load message %ld", n);
            text(message, 1, messageID);
            text(message, 2, conversationID);
            text(message, 3, external);
            text(message, 4, author);
            text(message, 5, textValue);
            number(message, 6, now);
            number(message, 7, now);
            run(message);
            int length = snprintf(body, sizeof body, "{\"id\":\"%s\",\"visitor\":{\"id\":\"%s\"},\"text\":\"%s\"}",
                                  external, visitor, textValue);
            text(raw, 1, messageID);
            if (sqlite3_bind_blob(raw, 2, body, length, SQLITE_TRANSIENT) != SQLITE_OK) fail("bind");
            run(raw);
            snprintf(payload, sizeof payload,
                     "{\"channelId\":\"web\",\"conversationId\":\"%s\",\"customerId\":\"%s\",\"messageId\":\"%s\","
                     "\"newConversation\":true}", conversationID, customerID, messageID);
            text(event, 1, conversationID);
            text(event, 2, messageID);
            text(event, 3, payload);
            number(event, 4, now);
            run(event);
        }
        exec("COMMIT");
    }
    double seconds = wall() - startWall, cpuSeconds = cpu() - startCPU;
    printf("{\"contacts\":%ld,\"batch\":%ld,\"seconds\":%.3f,\"contacts_per_s\":%.0f,\"wall_us\":%.1f,\"cpu_us\":%.1f}\n",
           contacts, batch, seconds, contacts / seconds, seconds / contacts * 1e6, cpuSeconds / contacts * 1e6);
    sqlite3_close(db);
    return 0;
}
