import ConnectButton from './connect-button';

export default function Page() {
  return <ConnectButton />;
}
