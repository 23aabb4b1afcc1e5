export default async function Home() {
  const api = process.env.NEXT_PUBLIC_API_URL;
  return (
    <main>
      <h1>Web platform</h1>
      <p>API at {api}</p>
    </main>
  );
}
