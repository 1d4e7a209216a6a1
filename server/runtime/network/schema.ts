import type { Migration } from '@/server/db';

/**
 * Networks and the containers attached to them. An attachment keeps the exact config list and
 * runtimeConfig it was ADDed with and the ADD result: the CNI spec wants DEL to get both, and a
 * network may be changed or a server restarted in between. `boot_id` marks attachments made
 * before the last reboot: their kernel side (veths, rules, leases under the run dir) is gone.
 */
export const networkMigrations: Migration[] = [
  {
    id: 'network/001-networks-attachments-ports',
    up: (db) => {
      db.exec(`
        CREATE TABLE networks (
          name        TEXT PRIMARY KEY,
          bridge      TEXT NOT NULL UNIQUE,
          subnet      TEXT NOT NULL,
          gateway     TEXT NOT NULL,
          ip_masq     INTEGER NOT NULL CHECK (ip_masq IN (0, 1)),
          mtu         INTEGER,
          created_at  INTEGER NOT NULL
        );
        CREATE TABLE network_attachments (
          container_id    TEXT NOT NULL,
          network         TEXT NOT NULL REFERENCES networks(name),
          container_name  TEXT NOT NULL,
          if_name         TEXT NOT NULL,
          netns_path      TEXT NOT NULL,
          conflist        TEXT NOT NULL,
          runtime_config  TEXT NOT NULL,
          add_result      TEXT,
          address         TEXT,
          boot_id         TEXT NOT NULL,
          created_at      INTEGER NOT NULL,
          PRIMARY KEY (container_id, network),
          UNIQUE (container_id, if_name)
        );
        CREATE INDEX network_attachments_network ON network_attachments(network);
        CREATE TABLE network_ports (
          container_id    TEXT NOT NULL,
          network         TEXT NOT NULL,
          host_ip         TEXT NOT NULL DEFAULT '',
          host_port       INTEGER NOT NULL CHECK (host_port BETWEEN 1 AND 65535),
          container_port  INTEGER NOT NULL CHECK (container_port BETWEEN 1 AND 65535),
          protocol        TEXT NOT NULL CHECK (protocol IN ('tcp', 'udp')),
          FOREIGN KEY (container_id, network)
            REFERENCES network_attachments(container_id, network) ON DELETE CASCADE
        );
        CREATE INDEX network_ports_host ON network_ports(host_port, protocol);
      `);
    },
  },
];
