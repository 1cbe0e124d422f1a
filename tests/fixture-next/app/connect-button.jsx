'use client';
// How a customer uses the package in Next.js: a plain import in a client
// component, no init(), no plugin, no next.config entry. The page around it
// is rendered on the server, where the import must do nothing.
import { useState } from 'react';
import { showKomboConnect, KomboConnectCancelledError } from 'kombo-connect-wasm';

export default function ConnectButton() {
  const [result, setResult] = useState('');
  const connect = async () => {
    const link = new URLSearchParams(location.search).get('link');
    try {
      setResult(`token: ${await showKomboConnect(link)}`);
    } catch (error) {
      setResult(error instanceof KomboConnectCancelledError ? 'cancelled' : `error: ${error.message}`);
    }
  };
  return (
    <>
      <button id="connect" onClick={connect}>Connect HRIS</button>
      <output id="result">{result}</output>
    </>
  );
}
