import { releases } from "./releases";

export default function Home() {
  return (
    <main>
      <h1>Release notes</h1>
      {releases.map((r) => (
        <section key={r.version}>
          <h2>
            {r.version} <small>{r.date}</small>
          </h2>
          <ul>
            {r.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </section>
      ))}
    </main>
  );
}
