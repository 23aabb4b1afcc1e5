const express = require("express");
const { Pool } = require("pg");

const app = express();
const pool = new Pool({ connectionString: process.env.DATABASE_URL });

app.get("/health", (_req, res) => res.json({ status: "ok" }));

app.get("/items", async (_req, res) => {
  const { rows } = await pool.query("SELECT id, name FROM items ORDER BY id");
  res.json(rows);
});

app.listen(4000, () => console.log("api listening on 4000"));
