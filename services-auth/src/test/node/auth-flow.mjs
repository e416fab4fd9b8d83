// Drives one auth realm with the unmodified @supabase/auth-js client, as an app would.
// Usage: AUTH_URL=... EMAIL=... PASSWORD=... node auth-flow.mjs
// Prints one JSON line with what the Java test checks; exits 1 on the first error.
import { AuthClient } from '@supabase/auth-js'

const url = process.env.AUTH_URL
const email = process.env.EMAIL
const password = process.env.PASSWORD

function fail(step, error) {
  console.error(`${step} failed: ${error?.name} ${error?.status} ${error?.code} ${error?.message}`)
  process.exit(1)
}

const auth = new AuthClient({ url, autoRefreshToken: false, persistSession: false })

const signUp = await auth.signUp({ email, password, options: { data: { name: 'Alice' } } })
if (signUp.error) fail('signUp', signUp.error)
if (!signUp.data.session || !signUp.data.user) fail('signUp', new Error('no session or user'))

// Log in with the address in another letter case: one user.
const signIn = await auth.signInWithPassword({ email: email.toLowerCase(), password })
if (signIn.error) fail('signInWithPassword', signIn.error)
const firstRefresh = signIn.data.session.refresh_token

const refreshed = await auth.refreshSession({ refresh_token: firstRefresh })
if (refreshed.error) fail('refreshSession', refreshed.error)
if (refreshed.data.session.refresh_token === firstRefresh) fail('refreshSession', new Error('token not rotated'))

const got = await auth.getUser()
if (got.error) fail('getUser', got.error)

const updated = await auth.updateUser({ data: { plan: 'pro' } })
if (updated.error) fail('updateUser', updated.error)

const accessBeforeSignOut = refreshed.data.session.access_token
const signOut = await auth.signOut()
if (signOut.error) fail('signOut', signOut.error)
const afterSignOut = await auth.getUser(accessBeforeSignOut)

const wrong = await auth.signInWithPassword({ email, password: password + 'x' })

console.log(JSON.stringify({
  signUpUserId: signUp.data.user.id,
  signInUserId: signIn.data.user.id,
  signUpAccessToken: signUp.data.session.access_token,
  expiresIn: signIn.data.session.expires_in,
  gotEmail: got.data.user.email,
  gotName: got.data.user.user_metadata.name,
  updatedPlan: updated.data.user.user_metadata.plan,
  // auth-js turns GoTrue's 403 session_not_found into AuthSessionMissingError.
  afterSignOutError: afterSignOut.error?.name ?? null,
  afterSignOutUser: afterSignOut.data?.user ?? null,
  wrongPasswordStatus: wrong.error?.status ?? null,
  wrongPasswordCode: wrong.error?.code ?? null,
  wrongPasswordMessage: wrong.error?.message ?? null,
}))
