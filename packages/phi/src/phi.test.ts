import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describePhi, findPhi, PHI_LABELS, type PhiFinding, type PhiKind } from './index.ts';

interface MustCatch {
  text: string;
  kind: PhiKind;
  /** The identifier itself; the finding's [start, end) must cover it. */
  id: string;
}

const mustCatch: MustCatch[] = [
  // medical record numbers (labelled)
  { text: 'MRN: 00482913', kind: 'mrn', id: '00482913' },
  { text: 'Monitor banner showed MR# 1234567 after admit', kind: 'mrn', id: '1234567' },
  { text: 'MR # 55512345 still on the screen', kind: 'mrn', id: '55512345' },
  { text: 'Med Rec No. 99812345', kind: 'mrn', id: '99812345' },
  { text: 'medical record number 00123456 was on the printout', kind: 'mrn', id: '00123456' },
  { text: 'Patient ID: A1234567', kind: 'mrn', id: 'A1234567' },
  { text: 'PatientID=HX00482913', kind: 'mrn', id: 'HX00482913' },
  { text: 'PID: 00482913 | ADT feed', kind: 'mrn', id: '00482913' },
  { text: 'Acct# 123456789', kind: 'mrn', id: '123456789' },
  { text: 'account number 4400123 on the wristband', kind: 'mrn', id: '4400123' },
  { text: 'Encounter # 2024-00123', kind: 'mrn', id: '2024-00123' },
  { text: 'enc # E2024-0091733 keeps reassociating to the wrong bed', kind: 'mrn', id: 'E2024-0091733' },
  { text: 'the mrn was 00771245 which belongs to someone else', kind: 'mrn', id: '00771245' },
  { text: 'PV1|1|I|4N^412^B||||||||||||||||V778120034', kind: 'mrn', id: 'V778120034' },
  // an export's file name: LAST_FIRST_birth date
  { text: 'the cart exported ECG_MORALES_IGNACIO_19620405.xml and MUSE rejects it', kind: 'patient_name', id: 'MORALES_IGNACIO_19620405' },
  // nine bare digits that the text calls a social
  { text: 'ERR invalid value in PID-19 "523889104", thats a social', kind: 'ssn', id: '523889104' },
  // ten bare digits after a word for a call
  { text: 'call pt back at 5552180934 re the home pump pickup', kind: 'phone', id: '5552180934' },
  // names by what is around them (added after blind set 4)
  { text: 'inmate Darnell Fitch on the secure unit smashed the pendant', kind: 'patient_name', id: 'Darnell Fitch' },
  { text: 'daughter of the pt in 22 (Ruth Kaminski) brought the home bipap', kind: 'room_bed_name', id: 'Ruth Kaminski' },
  { text: 'Srinivasan Raghunathan (pt, 5N-507) CO readings all over', kind: 'patient_name', id: 'Srinivasan Raghunathan' },
  { text: 'Fatima Al-Harbi in L&D 3, fetal monitor dropping US', kind: 'patient_name', id: 'Fatima Al-Harbi' },
  { text: 'Björn Åkesson, 4 east, ceiling lift stalls', kind: 'patient_name', id: 'Björn Åkesson' },
  { text: "Oluwaseun Adeyemi's glucose came back 600 on the meter", kind: 'patient_name', id: 'Oluwaseun Adeyemi' },
  { text: 'NICU iso 3, baby Thompson twin B, skin temp low', kind: 'patient_name', id: 'Thompson' },
  { text: 'pt name on the screen was jose luis peña but', kind: 'patient_name', id: 'jose luis peña' },
  { text: 'lady said her father Harold Beaumont has a concentrator that alarms', kind: 'patient_name', id: 'Harold Beaumont' },
  { text: 'the lady in 12 (Hattie) keeps unplugging her pump', kind: 'room_bed_name', id: 'Hattie' },
  { text: 'the guy in 7 - hank gilroy i think - keeps pulling his leads', kind: 'room_bed_name', id: 'hank gilroy' },
  { text: 'label printer spit out "Zhang Wei 4E-07 heparin 25000u/250mL"', kind: 'patient_name', id: 'Zhang Wei' },
  { text: 'Fatima Al-Sayed, the dialysis pt from the clinic, brought her own scale', kind: 'patient_name', id: 'Fatima Al-Sayed' },
  { text: 'pump B on Ruiz in 7 alarmed air-in-line x4', kind: 'patient_name', id: 'Ruiz' },
  { text: 'vent on Chen in MICU 9 threw circuit disconnect', kind: 'patient_name', id: 'Chen' },
  { text: 'Bernadette in 9 is on her 3rd tele box this week', kind: 'patient_name', id: 'Bernadette' },
  { text: 'loaner list (pts who still have pumps): Kwame Oduya, Maeve Brennan, Luis Fonseca', kind: 'patient_name', id: 'Luis Fonseca' },
  { text: "Gladys Whitmore's hoyer sling ripped at the strap", kind: 'patient_name', id: 'Gladys Whitmore' },
  { text: 'found a face sheet w/ pt social 078 41 2290 on it', kind: 'ssn', id: '078 41 2290' },
  { text: 'old muse export has a column of ssns like 398220175, 401339826', kind: 'ssn', id: '401339826' },
  { text: 'visit V00918273 - tele pack never got discharged', kind: 'mrn', id: 'V00918273' },
  { text: 'first one in the queue is acc A771093', kind: 'mrn', id: 'A771093' },
  { text: 'CSN 198827461 shows up in the interface errors', kind: 'mrn', id: '198827461' },
  { text: 'Pt Acct: 77120098 printed on the 12 lead', kind: 'mrn', id: '77120098' },
  { text: '14:02:11 SCAN OK  PATIENT 00381927', kind: 'mrn', id: '00381927' },
  { text: 'alert email had the pt address 47 Harbor View Terr, Unit 2, Port Allyn', kind: 'address', id: '47 Harbor View Terr, Unit 2' },
  { text: 'PARK JI-HOON            ID: K88120734', kind: 'patient_name', id: 'PARK JI-HOON' },
  { text: 'left a bag on the cart, tag said Thibodeaux, Ray. brought it back', kind: 'patient_name', id: 'Thibodeaux, Ray' },
  { text: 'why does the monitor in bay 5 keep labeling david okoro as pediatric', kind: 'patient_name', id: 'david okoro' },
  { text: 'jimenez in ED hall bed 3, pump channel stuck', kind: 'patient_name', id: 'jimenez' },
  { text: 'bed 8 nguyen van hung, art line pressure bag', kind: 'room_bed_name', id: 'nguyen van hung' },
  { text: 'ERR 0x2F PATIENT ID MISMATCH scanned=00729114 expected=00729141', kind: 'mrn', id: '00729114' },
  { text: 'whiteboard shows full names: 1 B. Lindqvist, 2 T. Acheampong', kind: 'patient_name', id: 'T. Acheampong' },
  { text: 'Guardrails profile was set to PEDS on Okonkwo in 7W-2, adult pt', kind: 'patient_name', id: 'Okonkwo' },
  { text: 'files like `BROOKS_TYRONE_08211949_code.xml`', kind: 'patient_name', id: 'BROOKS_TYRONE_08211949' },
  { text: 'the monitor says JOHNSON BABY GIRL and the mom wants it fixed', kind: 'patient_name', id: 'JOHNSON BABY GIRL' },
  { text: '"Hodan Abdi Warsame" is what shows on the central for bed 3', kind: 'patient_name', id: 'Hodan Abdi Warsame' },
  { text: "hank dempsey's bed in 4W-02 alarm light stays on", kind: 'patient_name', id: 'hank dempsey' },
  { text: 'a folder called "Wilkins Marcus 04-17-1990" on the stick', kind: 'patient_name', id: 'Wilkins Marcus 04-17-1990' },
  { text: 'beds w/ old modules still: 4 (Pruitt), 7 (Ngata), 12 (Lindahl)', kind: 'patient_name', id: 'Lindahl' },
  { text: '14:02 CS1  BED 11 FERREIRA J      APNEA 20s', kind: 'room_bed_name', id: 'FERREIRA J' },
  { text: 'baby in NICU pod 4, Park Ji-hoon, warmer skin temp low', kind: 'room_bed_name', id: 'Park Ji-hoon' },
  { text: 'Fatima Al-Sayed 3rd floor - bed scale reads heavy', kind: 'patient_name', id: 'Fatima Al-Sayed' },
  { text: 'these 3 MRNs are still on tele packs: 7720145, 7720998, 7731062', kind: 'mrn', id: '7731062' },
  { text: 'tx record for pt id DX-004417 chair 4', kind: 'mrn', id: 'DX-004417' },
  { text: 'chart # HC-0092817 shows 6 hrs off therapy', kind: 'mrn', id: 'HC-0092817' },
  { text: 'med rec 3301928 / rm 1204 pulse ox reads 70s', kind: 'mrn', id: '3301928' },
  { text: 'pt medicare # 3QR7-HN2-XW41 on the delivery ticket', kind: 'mrn', id: '3QR7-HN2-XW41' },
  { text: 'billing says acct 3300218847 got charged 3 days of arctic sun', kind: 'mrn', id: '3300218847' },
  { text: 'dropped the unit at 1609 Calloway St (pts house, not ours)', kind: 'address', id: '1609 Calloway St' },
  { text: "bed 22 o'brien - bair hugger blanket not inflating", kind: 'room_bed_name', id: "o'brien" },
  { text: 'tomasz wiśniewski bed 4 CVICU keeps setting off the art line alarm', kind: 'patient_name', id: 'tomasz wiśniewski' },
  { text: 'guy in 3 has been hammering nurse call nonstop, Earl Tibbets. rauland says', kind: 'patient_name', id: 'Earl Tibbets' },
  {
    text: 'Sigma Spectrum on 5W threw err 322:00 while running on José Luis Ramírez Ortega, nurse swears',
    kind: 'patient_name',
    id: 'José Luis Ramírez Ortega'
  },
  { text: 'tele pack 2214 still assigned to nguyen thi huong two days after d/c', kind: 'patient_name', id: 'nguyen thi huong' },
  { text: 'med records wants the treatment log for Tyrone Jackson from 4/3', kind: 'patient_name', id: 'Tyrone Jackson' },
  { text: 'heparin overdose on Aiden Marsh (peds, mom is Kelly Marsh)', kind: 'patient_name', id: 'Aiden Marsh' },
  { text: 'an old ADT test msg pasted in with a real ssn, 523 88 1047', kind: 'ssn', id: '523 88 1047' },
  { text: 'problème avec le moniteur de Mme Amélie Rousseau, chambre 214', kind: 'patient_name', id: 'Amélie Rousseau' },
  { text: 'from a Dräger export: "Pat.-ID 0087723411, geb. 14.03.1958"', kind: 'mrn', id: '0087723411' },
  { text: 'from a Dräger export: "Pat.-ID 0087723411, geb. 14.03.1958"', kind: 'dob', id: '14.03.1958' },
  { text: 'tech typed the wrong DOB (14-Mar-1962) on a closed study', kind: 'dob', id: '14-Mar-1962' },
  { text: 'pump shows enc E2024-0098812 but pt got a new encounter', kind: 'mrn', id: 'E2024-0098812' },
  { text: 'cerner feed log: ENC=4400219837 STATUS=REJECT', kind: 'mrn', id: '4400219837' },
  { text: 'saw MBI 1EG4-TE5-MK73 sharpied on a loaner tag', kind: 'mrn', id: '1EG4-TE5-MK73' },
  { text: 'prior auth for a home apnea monitor, BCBS ID YRP449201883', kind: 'mrn', id: 'YRP449201883' },
  { text: 'scanners read the wristband as M00219934^ADT instead of the MRN', kind: 'mrn', id: 'M00219934' },
  { text: 'bringing the hospital bed back from 918 W Locust St, Unit 2 friday', kind: 'address', id: '918 W Locust St, Unit 2' },
  { text: 'Hi all, weird one. Popescu, Bogdan in CVICU, the IABP triggers fine', kind: 'patient_name', id: 'Popescu, Bogdan' },
  { text: '**Nowak, Wojciech**, 10W-22, SpO2 reading 70s', kind: 'patient_name', id: 'Nowak, Wojciech' },
  { text: '4E - the smart bed says arjun mehta is still assigned', kind: 'patient_name', id: 'arjun mehta' },
  { text: "TY kalani akana's dad for bringing back the loaner nebulizer", kind: 'patient_name', id: 'kalani akana' },
  { text: 'dialysis 4: Ruth Abernathy says the chair is too hot', kind: 'room_bed_name', id: 'Ruth Abernathy' },
  { text: "the incident involved siobhan o'donnell and they want the unit", kind: 'patient_name', id: "siobhan o'donnell" },
  { text: 'OR 4 - joão pereira da silva - fluid warmer overtemp at 43C', kind: 'patient_name', id: 'joão pereira da silva' },
  { text: 'Thandiwe Ndlovu - wheelchair scale reading 4 lb heavy', kind: 'patient_name', id: 'Thandiwe Ndlovu' },
  { text: 'Ontario site - returned pump w/ the pt label, OHIP 5584-123-456-KL. shredded', kind: 'mrn', id: '5584-123-456-KL' },
  { text: 'Medicare number 2123 45670 1 written in texta on a loan syringe driver', kind: 'mrn', id: '2123 45670 1' },
  { text: 'NZ DHB here. NHI ZAB1234 shows up in the event log', kind: 'mrn', id: 'ZAB1234' },
  { text: 'found NHS number 943 476 5919 written on a whiteboard', kind: 'mrn', id: '943 476 5919' },
  { text: 'hosp no RX1045832, bay 3 - the Flowtron pump is grinding', kind: 'mrn', id: 'RX1045832' },
  { text: "ward sister rang, pt's mobile is 07700 900461 apparently", kind: 'phone', id: '07700 900461' },
  { text: 'community equipment return: pt mob 0412 345 678 - hoist collection', kind: 'phone', id: '0412 345 678' },
  { text: 'the exported file was named MOORE_KATHLEEN_00329981_ECG.xml', kind: 'patient_name', id: 'MOORE_KATHLEEN_00329981' },
  { text: '<PatientName>Abebe Tesfaye</PatientName><PatientID>K200183</PatientID>', kind: 'patient_name', id: 'Abebe Tesfaye' },
  { text: '<PatientName>Abebe Tesfaye</PatientName><PatientID>K200183</PatientID>', kind: 'mrn', id: 'K200183' },
  { text: 'bed display still showing patient name "WILLIAMS-OKORO, J" after the pt left', kind: 'patient_name', id: 'WILLIAMS-OKORO' },
  { text: 'a print with "ABERNATHY L 03/22/1966" on it', kind: 'patient_name', id: 'ABERNATHY L 03/22/1966' },
  { text: 'Subject: RE: bed 7 pump - Gonzalez, Mateo', kind: 'patient_name', id: 'Gonzalez, Mateo' },
  { text: 'pack 4402 - Bishop, Raymond', kind: 'room_bed_name', id: 'Bishop, Raymond' },
  { text: 'mom Precious Mthembu asked why the warmer heater kept going to 100%', kind: 'patient_name', id: 'Precious Mthembu' },
  { text: 'swapped the pump for betty hargrove twice today', kind: 'patient_name', id: 'betty hargrove' },
  { text: 'monitor in 3 still showed Nguyễn Thị Hoa on it two days later', kind: 'patient_name', id: 'Nguyễn Thị Hoa' },
  { text: 'Abdul-Rahman Haddad, SICU 8 — art line reading high', kind: 'patient_name', id: 'Abdul-Rahman Haddad' },
  { text: 'Le Van Thanh bed 6, NIBP cuff inflating to 300', kind: 'patient_name', id: 'Le Van Thanh' },
  { text: 'hoist pick up @ 12 Banksia St, Toowong QLD 4066 for Noeline Hargreaves, family says', kind: 'address', id: '12 Banksia St' },
  { text: 'pid|1||4410023||ortega^luis||19620403|m', kind: 'mrn', id: '4410023' },
  { text: 'concentrator swap for Mr. Lindqvist at 88 Cedar Hollow Rd Apt 3', kind: 'address', id: '88 Cedar Hollow Rd Apt 3' },
  { text: 'ship the loaner vent to the pts home: 2207 W. Fairmount Ave, Baltimore', kind: 'address', id: '2207 W. Fairmount Ave' },
  // dates of birth (labelled)
  { text: 'DOB 04/12/1957', kind: 'dob', id: '04/12/1957' },
  { text: 'D.O.B. 4-12-57', kind: 'dob', id: '4-12-57' },
  { text: 'Date of Birth: 1957-04-12', kind: 'dob', id: '1957-04-12' },
  { text: 'birth date 12 Apr 1957', kind: 'dob', id: '12 Apr 1957' },
  { text: 'she was born April 12, 1957 per the chart', kind: 'dob', id: 'April 12, 1957' },
  { text: 'DOB (MM/DD/YYYY): 04/12/1957', kind: 'dob', id: '04/12/1957' },
  { text: 'PatientBirthDate=19570412', kind: 'dob', id: '19570412' },
  { text: 'dob: 12-Apr-1957', kind: 'dob', id: '12-Apr-1957' },
  // social security numbers
  { text: 'SSN: 123-45-6789', kind: 'ssn', id: '123-45-6789' },
  { text: 'ssn 123456789', kind: 'ssn', id: '123456789' },
  { text: 'social security number 078 05 1120', kind: 'ssn', id: '078 05 1120' },
  { text: 'someone typed 219-09-9999 into the notes field', kind: 'ssn', id: '219-09-9999' },
  // phone numbers
  { text: 'family asked to call (555) 123-4567', kind: 'phone', id: '(555) 123-4567' },
  { text: 'cb 555-123-4567 re: pump', kind: 'phone', id: '555-123-4567' },
  { text: 'Contact 555.123.4567', kind: 'phone', id: '555.123.4567' },
  { text: 'Next of kin +1 555 123 4567', kind: 'phone', id: '+1 555 123 4567' },
  { text: 'phone 555 123 4567', kind: 'phone', id: '555 123 4567' },
  { text: 'daughter in London +44 20 7946 0958', kind: 'phone', id: '+44 20 7946 0958' },
  { text: 'reach her on 1-800-555-1234', kind: 'phone', id: '1-800-555-1234' },
  // email addresses
  { text: 'mail it to jane.doe58@gmail.com please', kind: 'email', id: 'jane.doe58@gmail.com' },
  { text: 'reply to <j_smith+pump@yahoo.co.uk>', kind: 'email', id: 'j_smith+pump@yahoo.co.uk' },
  { text: 'the pts daughter wrote from k.obi@example.org asking about the pump', kind: 'email', id: 'k.obi@example.org' },
  // patient names (labelled)
  { text: 'Patient: Jane Doe', kind: 'patient_name', id: 'Jane Doe' },
  { text: 'Pt name: DOE, JANE', kind: 'patient_name', id: 'DOE, JANE' },
  { text: 'pt: John Smith', kind: 'patient_name', id: 'John Smith' },
  { text: 'Patient Name=SMITH^JOHN', kind: 'patient_name', id: 'SMITH^JOHN' },
  { text: "(0010,0010) Patient's Name: DOE^JANE^Q", kind: 'patient_name', id: 'DOE^JANE^Q' },
  { text: 'Patient info | Name: Jane Doe | Adult', kind: 'patient_name', id: 'Jane Doe' },
  { text: 'PATIENT: JOHN SMITH      BED 12', kind: 'patient_name', id: 'JOHN SMITH' },
  { text: 'Patient: Mr. Alvarez was on the pump', kind: 'patient_name', id: 'Mr. Alvarez' },
  { text: 'Patient name Maria de la Cruz', kind: 'patient_name', id: 'Maria de la Cruz' },
  { text: 'Patient: Ed Hall', kind: 'patient_name', id: 'Ed Hall' },
  // room/bed with a name
  { text: 'Room 412 Bed B - Jane Doe', kind: 'room_bed_name', id: 'Jane Doe' },
  { text: 'Rm 12 / Johnson', kind: 'room_bed_name', id: 'Johnson' },
  { text: 'Bed 4: Mr. Alvarez', kind: 'room_bed_name', id: 'Mr. Alvarez' },
  { text: 'BED 04 SMITH, JOHN  HR 72  SpO2 97', kind: 'room_bed_name', id: 'SMITH, JOHN' },
  { text: 'Bay 3 (Garcia) pump alarming', kind: 'room_bed_name', id: 'Garcia' },
  // home addresses
  { text: 'pt lives at 1423 Maple Ave', kind: 'address', id: '1423 Maple Ave' },
  { text: 'home address 88 Kosciuszko St Apt 3R on the DME form', kind: 'address', id: '88 Kosciuszko St Apt 3R' },
  // names in context, without a label
  { text: 'Patient Rosa Delgado was on the pump', kind: 'patient_name', id: 'Rosa Delgado' },
  { text: "Mrs. Okonkwo's feeding pump", kind: 'patient_name', id: 'Mrs. Okonkwo' },
  { text: 'Anh Nguyen, 67F, on 3 channels', kind: 'patient_name', id: 'Anh Nguyen' },
  { text: 'Bed 4 Jose Luis Herrera', kind: 'room_bed_name', id: 'Jose Luis Herrera' },
  { text: 'wristband: LAST, FIRST 02/11/1939', kind: 'patient_name', id: 'LAST, FIRST 02/11/1939' },
  // markdown formatting around the label
  { text: '**MRN:** 00482913', kind: 'mrn', id: '00482913' },
  { text: '| MRN | 00482913 | ICU |', kind: 'mrn', id: '00482913' },
  { text: '**DOB:** 04/12/1957', kind: 'dob', id: '04/12/1957' },
  { text: '**Patient:** Jane Doe', kind: 'patient_name', id: 'Jane Doe' },
  // HL7 v2 PID segment pasted from an interface engine log
  { text: 'PID|1||00482913^^^HOSP^MR||DOE^JANE^Q||19570412|F', kind: 'mrn', id: '00482913' },
  { text: 'PID|1||00482913^^^HOSP^MR||DOE^JANE^Q||19570412|F', kind: 'patient_name', id: 'DOE^JANE^Q' },
  { text: 'PID|1||00482913^^^HOSP^MR||DOE^JANE^Q||19570412|F', kind: 'dob', id: '19570412' }
];

/** Realistic BMET text that must not be flagged. */
const mustNotCatch: string[] = [
  // serial numbers
  'SN: US52812345',
  'S/N 1234-5678-90, installed 03/14/2019',
  'Serial No. 49218730, mfg date 2017-06-12',
  'GE CARESCAPE B650 SW 3.1 S/N SH612345678WA',
  'Model 8015 SN 12345678 Rev C',
  // error / alarm codes
  'E-203 Occlusion Downstream, cleared after door reseat',
  'Error 255-10-820 on channel B',
  'Err 0x1F: SpO2 module communication failure',
  '2024-03-02 16:07:45 ALARM 255-00-046 P_DOWN=17.9psi CH-A RATE=125mL/h',
  'Dräger V500 error 0x0815 at 14:22:07',
  'LIFEPAK 15 self-test failed: Code 2, 12-lead ECG OK',
  // part numbers, lots, asset tags, work orders
  'Replaced main board P/N 453564020911 (Philips 12NC)',
  'PN 2013-1200 backlight inverter, $412.00',
  'Lot 2403-1187 exp 2026-09',
  'Lot: 123-45-6789 recalled',
  'REF 555-123-4567 sensor kit',
  'Asset #004512, cost center 7100-2300',
  'WO# 23-004512 closed 2023-11-08 by J. Smith',
  'Service case 01234567 opened with vendor',
  'UDI (01)00884521123456(17)250630(10)A123',
  // firmware / software versions
  'FW 3.2.1.45',
  'upgraded to v10.4.2 last night',
  'IntelliVue MX450 Rev. K.03.12',
  'Alaris 8015 PC unit, software v9.33, 12 channels',
  // network
  'IP 10.20.30.40, gateway 10.20.30.1, MAC 00:09:FB:12:34:56',
  'MAC 00-1A-2B-3C-4D-5E on VLAN 120',
  'ssh root@192.168.1.20 then check /var/log',
  'ssh root@monitor01',
  'Log: 2024/03/02 14:02:11.123 [pid 2314] INFO net: link up 100Mbps',
  'kernel: pid=12345 oom-killer invoked',
  // dates and times without a birth label
  '2024-03-02 16:07:45',
  'Install date 2019-03-14, last PM 2024-01-08, next PM 2024-07-08',
  'Date of PM: 04/12/2023',
  'Battery born-on date 2021-04-12',
  'Alarm history: 16:07:45 HR HIGH 142 > 120; 16:08:02 SpO2 LOW 85 < 90',
  // measurements
  'Input 120 VAC 60 Hz, 2.1 A; leakage 45 µA (limit 100)',
  'NIBP 120/80 (93) mmHg HR 72 SpO2 98% RR 16',
  'ETCO2 35 mmHg, FiO2 0.40, PEEP 5 cmH2O, Vt 450 mL',
  'Flow 2.5 L/min, pressure 300-350 mmHg, +12.5 V rail',
  'readings 125 10 2024 3300 were logged',
  // model names
  'IntelliVue MX450',
  'Alaris 8015',
  'LIFEPAK 15',
  // the word "patient" without a name
  'Patient monitor shows E-203',
  'Patient monitor shows E-203 after firmware update',
  'Moved the patient side of the cable to the other port',
  'Patient: none (demo mode)',
  'Swapped the patient cable and the pt. circuit on the vent',
  'pt. circuit leak test passed at 60 cmH2O',
  'Patient: Adult',
  'Patient Category: Adult, Paced: No',
  'Patient Type: Adult | Pace: Off | Bed: 12',
  'pt: Stable overnight, no alarms',
  'Pt: 98.6 F',
  'Patient ID: none',
  'MRN field blank on the monitor (admit not done)',
  'DOB field shows --/--/----',
  'Device Name: MX450-ICU-12 (patient monitor)',
  'Name: MX450-12 (bed 12 patient monitor)',
  'Unit ID: 00482913',
  '| Patient | Bed | Alarm | Count |',
  '**Patient:** none, demo mode',
  // rooms and beds without a name
  'Room 412 Bed B',
  'Room 412 Bed B monitor keeps dropping off the central',
  'Bed 4: Alarm silenced by RN at 03:12',
  'Rm 3 - Philips MX450, telemetry, no issues',
  'Bay 3 Crash Cart defib checked',
  'Room 210 Conference Room projector',
  'Bed 12 / ICU',
  'Bed 7 - ED hallway stretcher',
  // staff and vendors (not patient data)
  'Tech: Jane Doe (biomed) swapped the SpO2 module',
  // HL7 segments without patient identifiers
  'MSH|^~\\&|MONITOR|ICU|EMR|HOSP|20240302160745||ORU^R01|12345|P|2.3',
  'OBX|1|NM|8867-4^Heart rate^LN||72|/min',
  // file names that look like addresses
  'screenshot logo@2x.png attached',
  // manufacturers and their published support lines, business addresses
  'called Baxter tech support 1-888-229-0001, they are sending a loaner',
  'Stryker bed in room 412 wont lower, Hill-Rom in bay 2 fine',
  'ship the board to the depot at 1200 Industrial Pkwy, Suite 100',
  'Welch Allyn Connex in Bed 4, Smiths Medical CADD on the pole',
  // found by blind set 4: a hotline beside an O2 cell, the author's own address, plural beds, a test record
  'Drager Evita V500 s/n ASCF-0042, DEA error after the O2 cell swap. Drager hotline 1-800-555-0131',
  'email me the Servo logs at k.holloway@stjoeshealth.org and ill look tonight',
  'Kessler Tower 5th floor is getting the new beds, Johnson Pavilion goes next quarter',
  "Tom's truck is in the dock with the loaner beds, Dave's laptop has the service sw",
  'PID|1||TEST0001^^^HOSP^MR||ZZTEST^BIOMED||19000101|U',
  'baby monitor in the NICU family room keeps losing its pairing',
  // an asset list's "Name" column is a device's name
  'Asset,Name,Model,Serial',
  'FW_UPDATE_PACKAGE_20240105.bin flashed fine',
  'quotes go to quotes@mediquip-parts.com, they take forever',
  'on-call list: Dave, Steve and Maria this weekend',
  'asked kelly in 4e, she said the pump was fine before shift change',
  'Thanks Karen in 4W nursing for tagging the broken pump',
  'Biomed shop phone is 555-210-4400 ext 2, after hours page the on-call at 555-210-4499',
  'Hi team - our interim director Mr. Alvarez is asking for a list of devices',
  'on call roster q3:\nname,ext,cell,weeks\nJorge Ramos,5521,pager 3301,1-4\nKelly Marchetti,5524,pager 3307,5-8',
  'location,asset,model,pads_exp,batt,checked_by\nLobby,AED-001,ZOLL AED Plus,2025-03,REPLACE,TB',
  'Tom Reilly (Getinge) is doing the sterilizer PMs the week of 4/14',
  'moving the sterilizers to the new Rosalind Franklin Surgical Tower next week',
  'PO 4500118273 still not shipped. rep is Dana Whitley, she is not answering',
  'Dave Smith, CBET | Clinical Engineering | x4471',
  'Hi all, Marcus Feldman here, new field service engineer for Stryker covering Indiana',
  '| Name | Role | Ext | Pager |\n|---|---|---|---|\n| Gary Holt | Shop Lead | 4410 | 2231 |',
  'El ingeniero de Mindray, Ricardo Salas, me ayudó con el iMEC 10',
  'Gracias a Jorge Méndez de Dräger por la capacitación de ayer',
  'RIP Hank Dubois, our shop manager for 31 years at Lakeshore General',
  'Our hospital is named after Florence Nightingale and people still ask if she works here',
  'The Zoll AED Plus in the lobby of the Charles Mayo building flagged Replace batteries',
  'PID|1||TEST123^^^POC||TESTPATIENT^POC||20000101|F',
  'ECG cart defaults DOB to 01/01/1900 if the RN does not enter one',
  'NOW HIRING: BMET II, Days, M-F. apply at careers or call (417) 555-0120',
  'Siemens PM Rebecca Lindqvist running the project',
  'Sigma Spectrum - error 322 after the update',
  'la bomba de infusion marca error 39, alguien sabe?',
  'the pt in 12 keeps calling, Dave Smith from nursing says the cord is bad',
  'Patient: TEST, BIOMED   MRN 999999 is our test pt on the central',
  'the test patient on the Epic integration is "Zztest, Biomed" with MRN 9990001',
  '(0010,0020) PatientID     QA0001',
  'Kaplan Pavilion 3rd floor still has the old ultraview, Morrison Tower is all intellivue',
  'the "Leads Off" message shows on the central for bed 3',
  'PM list:\n- 601 Alaris pumps\n- 12 Stryker beds',
  'staff names: Dave Smith, Maria Lopez, Tom Brady (biomed on call)',
  'CARESCAPE B650 BED 12 ADULT',
  'patient 3 of 4 on the unit had the new cuff',
  'the vent in rm 9 is on standby, the pump on the pole is fine',
  // staff and vendors at their organisation's domain
  'reply to <j_smith+pump@mail.hospital.example.com>',
  'for loaners contact Sarah Nguyen in Clinical Engineering, x4471 or sarah.nguyen@stmarkshealth.org'
];

function covering(findings: PhiFinding[], text: string, kind: PhiKind, id: string): PhiFinding | undefined {
  const at = text.indexOf(id);
  return findings.find((f) => f.kind === kind && f.start <= at && f.end >= at + id.length);
}

describe('findPhi: must catch', () => {
  it('has a big enough table', () => {
    expect(mustCatch.length).toBeGreaterThanOrEqual(30);
    expect(new Set(mustCatch.map((c) => c.kind))).toEqual(new Set(Object.keys(PHI_LABELS)));
  });

  it.each(mustCatch.map((c) => [c.kind, c.text, c] as const))('%s: %s', (_kind, _text, c) => {
    expect(c.text).toContain(c.id);
    const findings = findPhi(c.text);
    const hit = covering(findings, c.text, c.kind, c.id);
    expect(hit, JSON.stringify(findings)).toBeDefined();
    if (hit === undefined) return;
    expect(hit.label).toBe(PHI_LABELS[c.kind]);
    expect(hit.line).toBe(1);
    expect(hit.excerpt).toBe(c.text.slice(hit.start, hit.end).trim());
    // The finding does not run past the identifier into unrelated text by more than its label.
    const found = c.text.slice(hit.start, hit.end);
    expect(found.endsWith(c.id) || found.endsWith(c.id + ')'), found).toBe(true);
  });
});

describe('findPhi: must not catch', () => {
  it('has a big enough table', () => {
    expect(mustNotCatch.length).toBeGreaterThanOrEqual(40);
  });

  it.each(mustNotCatch.map((t) => [t]))('%s', (text) => {
    expect(findPhi(text)).toEqual([]);
  });

  it('a whole realistic service report stays clean', () => {
    const report = [
      '## PM report: Alaris 8015 PC unit',
      '',
      'Asset #004512 · SN: US52812345 · FW 3.2.1.45 · WO# 23-004512',
      '',
      '```text',
      '2024-03-02 14:02:11 CH-A RATE=125mL/h VTBI=1000',
      '2024-03-02 16:07:45 ALARM 255-00-046 P_DOWN=17.9psi',
      '2024-03-02 16:07:46 Err 0x1F module B comm timeout',
      '```',
      '',
      '| Test | Result | Limit |',
      '|---|---|---|',
      '| Leakage | 45 µA | 100 µA |',
      '| Occlusion | 17.9 psi | 15-25 psi |',
      '',
      'Patient monitor in Room 412 Bed B showed E-203 at the same time; patient side of the cable was fine.',
      'Ordered P/N 453564020911 and PN 2013-1200, lot 2403-1187. Rev. K.03.12 fixes it per the release notes (v10.4.2).',
      'IP 10.20.30.40 / MAC 00:09:FB:12:34:56. Next PM 2024-09-02.'
    ].join('\n');
    expect(findPhi(report)).toEqual([]);
  });
});

describe('findPhi: offsets, lines and multiple findings', () => {
  const text = [
    'Pump 14 alarmed E-203 again.', // 1
    'MRN: 00482913', // 2
    'DOB 04/12/1957', // 3
    'Patient: Jane Doe, call (555) 123-4567 or jane.doe@example.org' // 4
  ].join('\n');

  it('finds every identifier once, sorted by start, with 1-based lines', () => {
    const findings = findPhi(text);
    expect(findings.map((f) => [f.kind, f.line, f.excerpt])).toEqual([
      ['mrn', 2, 'MRN: 00482913'],
      ['dob', 3, 'DOB 04/12/1957'],
      ['patient_name', 4, 'Patient: Jane Doe'],
      ['phone', 4, '(555) 123-4567'],
      ['email', 4, 'jane.doe@example.org']
    ]);
    for (const f of findings) expect(text.slice(f.start, f.end)).toBe(f.excerpt);
    const starts = findings.map((f) => f.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it('start/end are UTF-16 offsets (astral characters before the finding)', () => {
    const prefix = '🩺📟 héllo — ';
    const findings = findPhi(prefix + 'MRN: 00482913');
    expect(findings[0]?.start).toBe(prefix.length);
    expect(findings[0]?.end).toBe(prefix.length + 'MRN: 00482913'.length);
  });

  it('counts lines with CRLF and blank lines', () => {
    const findings = findPhi('a\r\n\r\nb\r\nSSN: 123-45-6789\r\n');
    expect(findings).toHaveLength(1);
    expect(findings[0]?.line).toBe(4);
  });

  it('findings never overlap (labelled SSN inside an MRN label)', () => {
    const findings = findPhi('Acct# 555-123-4567 and SSN: 123-45-6789');
    for (let i = 1; i < findings.length; i++) expect(findings[i]?.start).toBeGreaterThanOrEqual(findings[i - 1]?.end ?? 0);
    expect(findings.map((f) => f.kind)).toEqual(['mrn', 'ssn']);
  });

  it('rejects invalid SSNs', () => {
    for (const ssn of ['000-12-3456', '666-12-3456', '912-34-5678', '123-00-4567', '123-45-0000']) {
      expect(findPhi(`ref ${ssn} x`), ssn).toEqual([]);
      expect(findPhi(`SSN: ${ssn}`), ssn).toEqual([]);
    }
  });

  it('an HL7 PID segment yields id, name, birth date, address, phone and SSN', () => {
    const hl7 =
      'MSH|^~\\&|ADT|HOSP|MON|ICU|20240302||ADT^A01|1|P|2.3\rPID|1||00482913^^^HOSP^MR||DOE^JANE^Q||19570412|F|||1 MAIN ST^^TOWN^NY^12345||(555)123-4567|||||123-45-6789\rPV1|1|I|ICU^12^B';
    expect(findPhi(hl7).map((f) => [f.kind, f.excerpt])).toEqual([
      ['mrn', '00482913'],
      ['patient_name', 'DOE^JANE^Q'],
      ['dob', '19570412'],
      ['address', '1 MAIN ST^^TOWN^NY^12345'],
      ['phone', '(555)123-4567'],
      ['ssn', '123-45-6789']
    ]);
  });

  it('excerpts are trimmed and at most 60 characters', () => {
    const long = 'Patient Name=' + 'A'.repeat(20) + '^' + 'B'.repeat(20) + '^' + 'C'.repeat(20);
    const [finding] = findPhi(long);
    expect(finding?.kind).toBe('patient_name');
    expect(finding?.excerpt.length).toBeLessThanOrEqual(60);
    expect(finding?.excerpt.startsWith('Patient Name=AAAA')).toBe(true);
  });

  it('empty and non-PHI input', () => {
    expect(findPhi('')).toEqual([]);
    expect(findPhi('   \n\n  ')).toEqual([]);
  });
});

describe('findPhi: pasted tables', () => {
  it('flags the cells under patient columns of a CSV or tab-separated paste, row by row', () => {
    const csv =
      'vitals export:\nPatientID,Name,DOB,Time,HR\n7710294,Barros Ana,1975-03-02,08:00,78\n7710295,"Lee Min",1980-01-09,08:05,81\n\nwhy is HR blank';
    const found = findPhi(csv).map((f) => [f.kind, f.excerpt, f.line]);
    expect(found).toEqual([
      ['mrn', '7710294', 3],
      ['patient_name', 'Barros Ana', 3],
      ['dob', '1975-03-02', 3],
      ['mrn', '7710295', 4],
      ['patient_name', '"Lee Min"', 4],
      ['dob', '1980-01-09', 4]
    ]);
    const tsv = 'MRN\tBed\tAlarm\n00482913\t12\tLEADS OFF';
    expect(findPhi(tsv).map((f) => f.excerpt)).toEqual(['00482913']);
  });

  it('keeps a quoted cell whole: "Whitfield, Arnold" is one name', () => {
    const csv = 'pump_sn,channel,patient,mrn,drug\n12094471,A,"Whitfield, Arnold",00912334,heparin';
    expect(findPhi(csv).map((f) => [f.kind, f.excerpt])).toEqual([
      ['patient_name', '"Whitfield, Arnold"'],
      ['mrn', '00912334']
    ]);
  });

  it('leaves an equipment list alone, even with a Name column', () => {
    expect(findPhi('Asset,Name,Model,Serial\n10023,Alaris 8015,8015,12345678\n10024,Alaris 8100,8100,12345679')).toEqual([]);
  });
});

describe('describePhi', () => {
  it('matches the documented sentence', () => {
    const text = 'Pump 14 alarmed\nMRN: 00482913\nDOB 04/12/1957\n';
    expect(describePhi(findPhi(text))).toBe(
      'Possible patient data: medical record number on line 2 ("MRN: 00482913"), date of birth on line 3 ("DOB 04/12/1957")'
    );
  });

  it('uses the human labels for every kind', () => {
    expect(PHI_LABELS).toEqual({
      mrn: 'medical record number',
      dob: 'date of birth',
      ssn: 'social security number',
      phone: 'phone number',
      email: 'email address',
      patient_name: 'patient name',
      room_bed_name: 'room/bed with a name',
      address: 'home address'
    });
    expect(describePhi(findPhi('Bed 4: Mr. Alvarez'))).toBe('Possible patient data: room/bed with a name on line 1 ("Bed 4: Mr. Alvarez")');
  });

  it('is empty for no findings', () => {
    expect(describePhi([])).toBe('');
  });
});

describe('large and pathological input (must return; no catastrophic backtracking)', () => {
  const logLines = [
    '2024-03-02 16:07:45 ALARM 255-00-046 P_DOWN=17.9psi CH-A RATE=125mL/h SN: US52812345',
    '2024-03-02 16:07:46 Err 0x1F module B comm timeout FW 3.2.1.45 IP 10.20.30.40',
    '2024-03-02 16:07:47 Patient monitor Room 412 Bed B E-203 WO# 23-004512 P/N 453564020911'
  ];

  it('a 50,000-character device log finishes and stays clean', () => {
    let log = '';
    for (let i = 0; log.length < 50_000; i++) log += (logLines[i % logLines.length] ?? '') + '\n';
    expect(findPhi(log)).toEqual([]);
  });

  it('a 50,000-character log with PHI sprinkled in finds all of it', () => {
    let log = '';
    let planted = 0;
    for (let i = 0; log.length < 50_000; i++) {
      log += (logLines[i % logLines.length] ?? '') + '\n';
      if (i % 100 === 50) {
        log += `MRN: ${String(10_000_000 + i)}\n`;
        planted++;
      }
    }
    const findings = findPhi(log);
    expect(findings).toHaveLength(planted);
    expect(findings.every((f) => f.kind === 'mrn')).toBe(true);
  });

  it.each([
    ['digits', '1'.repeat(50_000)],
    ['digits and dashes', '123-'.repeat(12_500)],
    ['digits, dashes and spaces', '12 3-45 6-7 '.repeat(4_200)],
    ['phone-like groups', '555-123-'.repeat(6_250)],
    ['plus signs and digits', '+1 2 '.repeat(10_000)],
    ['dots and digits', '1.2.3.'.repeat(8_300)],
    ['label runs', 'MRN: DOB: SSN: Patient: Room 1 Bed 2 - '.repeat(1_300)],
    ['capitalised words after a label', 'Patient: ' + 'Abc '.repeat(12_500)],
    ['caret names', 'Patient Name=' + 'A^'.repeat(25_000)],
    ['email-ish', 'a.'.repeat(12_500) + '@' + 'b.'.repeat(12_500)],
    ['at signs', '@'.repeat(50_000)],
    ['brackets', '('.repeat(25_000) + '555) '.repeat(5_000)],
    ['HL7 pipes', 'PID|' + '|'.repeat(49_996)],
    ['PV1 pipes', 'PV1|' + '|'.repeat(49_996)],
    ['a CSV with patient columns', 'MRN,Name,DOB\n' + '1234567,Ann Lee,1970-01-01\n'.repeat(1_900)],
    ['a header of empty cells', 'Patient,' + ','.repeat(50_000)],
    ['quotes', '"'.repeat(50_000)],
    ['a list of patients', 'patients: ' + 'Ann Lee, '.repeat(5_500)],
    ['a list of MRNs', 'MRNs: ' + '1234567, '.repeat(5_500)],
    ['underscored words', 'Abc_'.repeat(12_500)],
    ['capitals', 'ABC '.repeat(12_500) + ' ID: 123'],
    ['apposition', 'pt in 3, ' + 'Ann Lee, '.repeat(5_500)],
    ['lower-case words', 'abc def '.repeat(6_250)],
    ['spaced ids after a label', 'NHS number ' + '12 '.repeat(16_500)],
    ['XML tags', '<PatientName>'.repeat(3_800)],
    ['national phone shapes', 'mobile 0'.repeat(6_200) + '7700 900461']
  ])('%s (50k) returns', (_name, text) => {
    expect(text.length).toBeGreaterThanOrEqual(49_000);
    const findings = findPhi(text);
    expect(Array.isArray(findings)).toBe(true);
  });
});

describe('browser safety', () => {
  it('uses no Node APIs or environment, and imports only its own word lists', () => {
    for (const file of ['index.ts', 'words.ts', 'lexicon.ts']) {
      const source = readFileSync(new URL(`./${file}`, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/\brequire\(|process\.|['"]node:|\bwindow\.|\bdocument\./);
      for (const [, from] of source.matchAll(/^import\b[^'"]*['"]([^'"]+)['"]/gm))
        expect(['./lexicon.ts', './words.ts'], file).toContain(from);
    }
  });
});
